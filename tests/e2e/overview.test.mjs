// The overview of a large tenant, as a user meets it: the count, a search, the end of the table
// a scroll away and the keyboard through the rows (only the rows in view are in the page); and
// the overview kept in the tenant session: back from a subscription at once, Refresh to reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { signedInSite, launch, watchedPage, root } from './harness.mjs';
import { frames } from './rows.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, site) {
  await page.goto(`${site.origin}/`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${site.origin}/tenants/**`);
}

/** The summary once every row is loaded: counts and nothing after them. */
const COMPLETE = /^\d+ subscriptions: \d+ On, \d+ Partial, \d+ On — no plan, \d+ Off$/;

// `fake-azure generate --subscriptions 1100 --machines 2000 --seed 7`: 990 subscriptions in the
// signed-in user's tenant (the rest are Fabrikam's). By name, the first is the hostile
// '"><script>…' and the last the third of the subscriptions named 'Ünïcødé 名前 🚀 ‮gnp.exe'
// (equal names keep the listing order); 73 have "Finance" in their name.
const GENERATED = { subscriptions: 990, finance: 73 };
const FIRST_NAME = '"><script>alert(document.domain)</script>';
const LAST_ID = '5dc2d710-a395-4ce9-a351-beae8396bf1a';
const LAST_NAME = 'Ünïcødé 名前 🚀 \u202egnp.exe';

test('990 subscriptions: the summary counts them, a search narrows them, the last is a scroll away, and Tab walks the rows', async (t) => {
  const scenario = path.join(os.tmpdir(), 'mde-e2e-generated-1100.json');
  fs.writeFileSync(scenario, execFileSync(path.join(root, 'target/debug/fake-azure'),
    ['generate', '--subscriptions', '1100', '--machines', '2000', '--seed', '7'], { maxBuffer: 1 << 28 }));
  const { site, close } = await signedInSite(scenario);
  const { page, context } = await watchedPage(t, browser);
  try {
    await signIn(page, site);
    const summary = page.locator('.summary');
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.summary')?.textContent.trim()),
      COMPLETE.source, { timeout: 60_000 });
    assert.match(await summary.textContent(), new RegExp(`^${GENERATED.subscriptions} subscriptions: `));
    const table = page.locator('table.subscriptions');
    assert.equal(await table.getAttribute('aria-rowcount'), String(GENERATED.subscriptions + 1));
    const inPage = await page.locator('table.subscriptions tbody tr').count();
    assert.ok(inPage > 10 && inPage < 100, `${inPage} rows in the page, not all ${GENERATED.subscriptions}`);
    const first = page.locator('table.subscriptions tbody tr').first();
    assert.equal(await first.getAttribute('aria-rowindex'), '2');
    assert.equal(await first.locator('th').textContent(), FIRST_NAME);

    // The end of the table, a scroll away.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const last = page.locator(`table.subscriptions tbody tr[data-subscription="${LAST_ID}"]`);
    await last.waitFor();
    assert.equal(await last.locator('th').textContent(), LAST_NAME);
    assert.equal(await last.getAttribute('aria-rowindex'), String(GENERATED.subscriptions + 1));
    assert.equal(await page.locator('table.subscriptions tbody tr').last().getAttribute('data-subscription'), LAST_ID);

    // Tab from the first row's link walks the rows' links, past the rows first rendered.
    await page.evaluate(() => window.scrollTo(0, 0));
    await frames(page);
    await first.locator('a').focus();
    // Each row has two stops: its checkbox, then its link.
    for (let i = 0; i < 90; i++) {
      await page.keyboard.press('Tab');
      // The table follows the focus in the next frame.
      await frames(page);
    }
    const focused = await page.evaluate(() => ({
      row: document.activeElement.closest('tr')?.getAttribute('aria-rowindex'),
      link: document.activeElement.tagName,
      shown: document.activeElement.getBoundingClientRect().top < window.innerHeight,
    }));
    assert.deepEqual(focused, { row: '47', link: 'A', shown: true });

    // A search narrows the table; the summary still counts the tenant.
    await page.getByLabel('Search').fill('finance');
    await page.waitForURL(/q=finance/);
    await page.waitForFunction((n) => document.querySelector('table.subscriptions').getAttribute('aria-rowcount') === String(n),
      GENERATED.finance + 1);
    const names = await page.$$eval('table.subscriptions tbody th', (ths) => ths.map((t) => t.textContent));
    assert.ok(names.length > 0 && names.every((n) => /Finance/.test(n)), names.join(', '));
    assert.match(await summary.textContent(), new RegExp(`^${GENERATED.subscriptions} subscriptions: `));
  } finally {
    await context.close();
    await close();
  }
});

test('back from a subscription the overview shows at once with the change made there, and Refresh loads it again', async (t) => {
  const { site, fake, close } = await signedInSite(path.join(root, 'public/demo/scenario.json'));
  const { page, context } = await watchedPage(t, browser);
  const listings = [];
  page.on('request', (r) => { if (r.url().startsWith(`${fake.origin}/subscriptions?`)) listings.push(r.url()); });
  try {
    await page.clock.install();
    await signIn(page, site);
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.summary')?.textContent.trim()), COMPLETE.source);
    await page.getByText('Loaded just now').waitFor();
    const row = (name) => page.locator('table.subscriptions tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
    assert.equal(await row('Contoso Dev/Test').locator('td:not(.select)').nth(2).textContent(), 'Partial');
    assert.equal(listings.length, 1);

    await row('Contoso Dev/Test').getByRole('link').click();
    await page.getByRole('button', { name: 'Fix' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/^Done: /).first().waitFor();
    await page.getByRole('link', { name: '← All subscriptions' }).click();
    // At once: the rows are in the page with the overview's heading, and nothing was listed again.
    await page.getByRole('heading', { name: 'Subscriptions', level: 1 }).waitFor();
    const shown = await page.evaluate(() => ({
      rows: document.querySelectorAll('table.subscriptions tbody tr').length,
      summary: document.querySelector('.summary').textContent,
    }));
    assert.equal(shown.rows, 12);
    assert.match(shown.summary, /^12 subscriptions: /);
    assert.equal(await row('Contoso Dev/Test').locator('td:not(.select)').nth(2).textContent(), 'On', 'the row shows the read-back');
    assert.equal(listings.length, 1, 'coming back listed nothing');

    // Two minutes later the page says so; Refresh loads everything again.
    await page.clock.fastForward('02:00');
    await page.getByText('Loaded 2 min ago').waitFor();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('Loaded just now').waitFor();
    assert.equal(listings.length, 2, 'Refresh listed the subscriptions again');
    assert.match(await page.locator('.summary').textContent(), COMPLETE);
    assert.equal(await row('Contoso Dev/Test').locator('td:not(.select)').nth(2).textContent(), 'On');
  } finally {
    await context.close();
    await close();
  }
});
