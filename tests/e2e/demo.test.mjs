// Demo mode end to end: the release site, no sign-in, the built-in tenant in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveSite, launch, watchedPage, expectInstallRefused, root } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Waits until no row is loading, then reads each row as {name: [state, plan, status]}. */
async function readOverview(page) {
  await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
  await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
    && !/loading|listing/.test(document.querySelector('.summary').textContent));
  return page.$$eval('table.subscriptions tbody tr', (rows) => Object.fromEntries(rows.map((r) => {
    const cells = [...r.querySelectorAll('th, td:not(.select)')].map((c) => c.textContent.trim());
    return [cells[0], cells.slice(1, 4)];
  })));
}

test('the demo overview shows every subscription with its plan and integration status', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/`);
    await page.getByRole('note').filter({ hasText: 'Demo' }).waitFor();
    const rows = await readOverview(page);
    assert.deepEqual(rows, {
      'Contoso Production': ['Enabled', 'P2', 'On'],
      'Contoso Retail – EU': ['Enabled', 'P2', 'Partial'],
      'Contoso Dev/Test': ['Enabled', 'P1', 'Partial'],
      'Contoso Data Platform': ['Enabled', 'P1', 'Off'],
      'Contoso Sandbox': ['Enabled', 'Off', 'Off'],
      'Fabrikam (acquired)': ['Warned', 'P2', 'Partial'],
      'Contoso Legacy Apps': ['PastDue', 'P2', 'On'],
      'Contoso Archive (decommissioned)': ['Disabled', 'Off', 'Off'],
      'Contoso Finance': ['Enabled', 'P2', 'Partial'],
      'Contoso Shared Services': ['Enabled', 'P2', 'On'],
      'Contoso Identity': ['Enabled', 'Off', 'On — no plan'],
      'Contoso Payments': ['Enabled', 'P2', 'Off'],
    });
    await page.getByText('12 subscriptions: 3 On, 4 Partial, 1 On — no plan, 4 Off').waitFor();
  } finally {
    await context.close();
    await site.close();
  }
});

test('a deep link to a subscription page loads straight into it', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    const scenario = JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8'));
    const id = scenario.subscriptions.find((s) => s.subscription.displayName === 'Contoso Finance').subscription.subscriptionId;
    await page.goto(`${site.origin}/try/subscriptions/${id}`);
    await page.getByRole('heading', { name: 'Contoso Finance', level: 1 }).waitFor();
  } finally {
    await context.close();
    await site.close();
  }
});

test('a hostile subscription name shows as text and runs nothing', async (t) => {
  const hostile = '<img src=x onerror=alert(1)>';
  const scenario = JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8'));
  scenario.subscriptions = scenario.subscriptions.slice(0, 2);
  scenario.subscriptions[0].subscription.displayName = hostile;
  const site = await serveSite({ '/demo/scenario.json': JSON.stringify(scenario) });
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    const rows = await readOverview(page);
    assert.ok(hostile in rows, `rows were ${JSON.stringify(Object.keys(rows))}`);
    // No element was made of the name, so nothing of it can run (the harness fails the test on
    // any dialog all the same).
    assert.equal(await page.locator('table img').count(), 0, 'the name became an element');
  } finally {
    await context.close();
    await site.close();
  }
});

test('in the demo a trainer can fix a subscription and see it On in the overview', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    await page.getByRole('link', { name: 'Contoso Retail – EU' }).click();
    // Keyboard: the dialog opens with focus on Apply, and Escape cancels it.
    await page.getByRole('button', { name: 'Fix' }).click();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Apply');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Fix' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Fix this subscription?' });
    await dialog.getByText('Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)').waitFor();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Azure now reports WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false.').waitFor();
    await page.getByRole('link', { name: '← All subscriptions' }).click();
    const rows = await readOverview(page);
    assert.deepEqual(rows['Contoso Retail – EU'], ['Enabled', 'P2', 'On']);
    await page.getByText('12 subscriptions: 4 On, 3 Partial, 1 On — no plan, 4 Off').waitFor();
  } finally {
    await context.close();
    await site.close();
  }
});

test('the insight panel selects the Windows-on, Linux-off subscriptions, and the URL keeps the view', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    const insight = page.getByRole('region', { name: 'Windows on, Linux off' });
    await insight.getByText('Contoso Retail – EU — 6 Linux machines').waitFor();
    await insight.getByRole('button', { name: 'Show only these' }).click();
    await page.waitForURL(/gap=linux/);
    const names = async () => page.$$eval('table.subscriptions tbody th', (ths) => ths.map((t) => t.textContent.trim()));
    await page.waitForFunction(() => document.querySelectorAll('table.subscriptions tbody tr').length === 3);
    assert.deepEqual(await names(), ['Contoso Finance', 'Contoso Retail – EU', 'Fabrikam (acquired)']);
    // A link reproduces the view: search and sort too.
    await page.goto(`${site.origin}/try?q=contoso&sort=status&status=on`);
    await page.getByText('12 subscriptions: 3 On, 4 Partial, 1 On — no plan, 4 Off').waitFor();
    // Contoso Identity is "On — no plan", not On.
    assert.deepEqual(await names(), ['Contoso Legacy Apps', 'Contoso Production', 'Contoso Shared Services']);
    assert.equal(await page.getByLabel('Search').inputValue(), 'contoso');
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'on');
    await page.getByLabel('Status', { exact: true }).selectOption('partial');
    await page.waitForURL(/status=partial/);
    await page.waitForFunction(() => document.querySelectorAll('table.subscriptions tbody tr').length === 3);
    assert.deepEqual(await names(), ['Contoso Dev/Test', 'Contoso Finance', 'Contoso Retail – EU']);
  } finally {
    await context.close();
    await site.close();
  }
});

test('links, back and forward move between pages in place, and an unknown path says so', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try?status=partial`);
    await page.waitForFunction(() => document.querySelectorAll('table.subscriptions tbody tr').length === 4);
    // A full page load would drop this marker (and the demo tenant's state with it).
    await page.evaluate(() => { window.sameDocument = true; });
    await page.getByRole('link', { name: 'Contoso Finance' }).click();
    await page.getByRole('heading', { name: 'Contoso Finance', level: 1 }).waitFor();
    await page.goBack();
    await page.waitForURL(/\/try\?status=partial$/);
    await page.waitForFunction(() => document.querySelectorAll('table.subscriptions tbody tr').length === 4);
    await page.goForward();
    await page.getByRole('heading', { name: 'Contoso Finance', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/try\/audit$/);
    assert.equal(await page.evaluate(() => window.sameDocument), true, 'a link reloaded the page');
    await page.goto(`${site.origin}/try/nothing-here`);
    await page.getByText('This page does not exist.').waitFor();
  } finally {
    await context.close();
    await site.close();
  }
});

test('the demo tenant runs in a worker that only demo mode loads, and a site without it says so', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  const loaded = [];
  page.on('requestfinished', (r) => loaded.push(new URL(r.url()).pathname));
  try {
    await page.goto(`${site.origin}/try`);
    await readOverview(page);
    assert.ok(loaded.includes('/demo-tenant_bg.wasm'), `loaded: ${loaded}`);
  } finally {
    await context.close();
    await site.close();
  }
  // Without its loader the worker fails at once; without its wasm it never says it is ready.
  for (const missing of ['/demo-tenant_loader.js', '/demo-tenant_bg.wasm']) {
    const broken = await serveSite({ [missing]: null });
    const second = await watchedPage(t, browser);
    const installRefused = expectInstallRefused(second.watch, missing.slice(1));
    if (missing.endsWith('.wasm')) {
      second.expectProblem(/^exception: Error: failed to fetch Wasm: 404 Not Found fetching '.*\/demo-tenant_bg\.wasm'/,
        "Trunk's loader of the demo's worker (demo-tenant_loader.js) leaves the failed fetch of its wasm uncaught");
    }
    try {
      await second.page.goto(`${broken.origin}/try`);
      await second.page.getByRole('alert').filter({ hasText: 'The demo could not start' }).waitFor({ timeout: 20_000 });
      await second.page.getByText('The demo tenant could not be started').waitFor();
      await installRefused();
    } finally {
      await second.context.close();
      await broken.close();
    }
  }
});
