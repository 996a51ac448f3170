// Keyboard only: the whole job with Tab, Shift+Tab, Enter, Space, the arrow keys and Escape, no
// mouse. Each step Tabs to a control by its accessible name, so a control that a keyboard
// can't reach (or that has no name) fails the test where it stands. Dialogs keep the focus
// inside while open and give it back to what opened them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, root } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The focused element's accessible name as a keyboard user hears it (label, aria-label or text). */
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { name: '', tag: 'body', inDialog: false };
  const byId = el.getAttribute('aria-labelledby')?.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  const name = el.getAttribute('aria-label') || byId || el.labels?.[0]?.textContent || el.textContent || el.value || '';
  return {
    name: name.replace(/\s+/g, ' ').trim() || el.outerHTML.slice(0, 80),
    tag: el.tagName.toLowerCase(),
    inDialog: !!el.closest('[role=dialog]'),
  };
});

/** Presses Tab (or Shift+Tab) until the focused control's name matches; fails after `max`. */
async function tabTo(page, name, { max = 400, back = false } = {}) {
  const matches = (n) => (name instanceof RegExp ? name.test(n) : n === name);
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (matches(now.name)) return now;
    if (seen.length < 40) seen.push(now.name.slice(0, 40));
  }
  assert.fail(`Tab never reached "${name}"; the first stops were: ${JSON.stringify(seen)}`);
}

/** Tabs around an open dialog `rounds` times its size: the focus never leaves it. */
async function assertFocusTrapped(page, stops = 12) {
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    assert.ok(now.inDialog, `Tab left the open dialog for "${now.name}" (${now.tag})`);
  }
}

test('demo: the dialogs keep the focus inside and give it back on Escape and on Cancel', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending'));
    // A subscription page, opened from its row's link.
    await tabTo(page, 'Contoso Data Platform');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Contoso Data Platform' }).waitFor();
    const opener = await tabTo(page, 'Defender for Endpoint integration (WDATP)');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    assert.ok((await focused(page)).inDialog, 'the dialog takes the focus when it opens');
    await assertFocusTrapped(page);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal((await focused(page)).name, opener.name, 'Escape gives the focus back to the button that opened it');

    // Again, closed with its Cancel button this time.
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await tabTo(page, 'Cancel', { max: 12 });
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal((await focused(page)).name, opener.name, 'Cancel gives the focus back too');
  } finally {
    await context.close();
    await site.close();
  }
});

test('signed in, keyboard only: sign in, select, plan and apply a change, tag a Linux machine, then a test alert', { timeout: 180_000 }, async (t) => {
  const overrides = {};
  const site = await serveSite(overrides);
  const fake = await startFakeAzure(['--scenario', path.join(root, 'public/demo/scenario.json'), '--app-origin', site.origin]);
  overrides['/config.json'] = JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
  const { page, context } = await watchedPage(t, browser);
  try {
    // Sign in: the start page's button, then the fake Entra ID's account link.
    await page.goto(`${site.origin}/`);
    await tabTo(page, 'Sign in with Microsoft');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${fake.origin}/**`);
    await tabTo(page, /Sign in as Avery Admin/, { max: 20 });
    await page.keyboard.press('Enter');
    await page.waitForURL(`${site.origin}/tenants/**`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
      && !/loading|listing/.test(document.querySelector('.summary').textContent), null, { timeout: 30_000 });

    // Select one subscription with Space, plan a change, choose Fix with the arrow keys, apply.
    await tabTo(page, 'Select Contoso Dev/Test');
    await page.keyboard.press('Space');
    assert.equal(await page.getByLabel('Select Contoso Dev/Test').isChecked(), true);
    await tabTo(page, 'Plan a change for 1 →', { back: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    await tabTo(page, /^Turn the integration|^Enable/);
    while (!(await page.getByLabel('Turn the integration fully on (Fix)').isChecked())) await page.keyboard.press('ArrowDown');
    const apply = await tabTo(page, /^Apply \d+ writes? to 1 subscription$/);
    await page.keyboard.press('Enter');
    await page.locator('.run-progress .summary').filter({ hasText: /^1 done · 0 failed/ }).waitFor({ timeout: 30_000 });
    assert.match(apply.name, /^Apply/);

    // The machines page from the navigation; search, select and tag a Linux machine.
    await tabTo(page, 'Machines', { back: true });
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: /machines, from/ }).waitFor({ timeout: 30_000 });
    await tabTo(page, 'Search');
    await page.keyboard.type('prod-batch-01');
    await page.getByRole('status').filter({ hasText: /^1 of \d+ machines shown$/ }).waitFor();
    await tabTo(page, 'Select prod-batch-01');
    await page.keyboard.press('Space');
    await tabTo(page, 'Exclude from MDE auto-update…', { back: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Change machines' }).waitFor();
    await tabTo(page, /^Exclude from MDE automatic updates .* on 1 machine$/);
    await page.keyboard.press('Enter');
    await page.locator('.run-progress .summary').filter({ hasText: /^1 done · 0 failed/ }).waitFor({ timeout: 30_000 });
    assert.equal(fake.log.filter((l) => l.startsWith('PATCH ')).length, 1, 'the tag was written once');

    // The test alert: back to the table, the Windows machine's Verify link, Run it from here,
    // Run in the confirmation (which keeps the focus), and the alert arriving.
    await tabTo(page, 'Done: back to the machines', { back: true });
    await page.keyboard.press('Enter');
    await tabTo(page, 'Search');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('prod-web-01');
    await page.getByRole('status').filter({ hasText: /^1 of \d+ machines shown$/ }).waitFor();
    await tabTo(page, /^Verify prod-web-01:/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'prod-web-01', level: 1 }).waitFor();
    const run = await tabTo(page, 'Run it from here…');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await assertFocusTrapped(page);
    await tabTo(page, 'Run', { max: 12 });
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByText('The alert arrived.').waitFor({ timeout: 60_000 });
    assert.equal(run.name, 'Run it from here…');
  } finally {
    await context.close();
    fake.stop();
    await site.close();
  }
});
