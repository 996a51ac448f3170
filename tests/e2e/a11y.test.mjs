// Accessibility (issue 13): axe-core over every page and dialog of the demo, and a signed-in
// page with its sign-out dialog against the fake server, in the light and the dark scheme (the
// contrast differs): no serious or critical violation. Long work is announced politely.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { serveSite, startFakeAzure, launch, root, explained, watchedPage } from './harness.mjs';

// axe is served from the site's own origin: the CSP's script-src 'self' lets it in, so the
// test needs no bypassCSP and audits the page under the policy it ships with.
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCENARIO = path.join(root, 'public/demo/scenario.json');
const RETAIL = JSON.parse(fs.readFileSync(SCENARIO, 'utf8')).subscriptions
  .find((s) => s.subscription.displayName === 'Contoso Retail – EU').subscription.subscriptionId;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A page in `colorScheme`, watched for test `t`. */
const schemePage = (t, colorScheme) => watchedPage(t, browser, { colorScheme, viewport: { width: 1280, height: 900 } });

/** Runs axe on the page as it is; adds its serious and critical violations to `found` under `where`. */
async function audit(page, where, found) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ url: '/axe.min.js' });
  const violations = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))));
  for (const v of violations) if (v.impact === 'serious' || v.impact === 'critical') found.push({ where, ...v });
}

/** One line per violation: where, id, impact, help, how many nodes and the first targets. */
const report = (found) => found.map((v) => `${v.where}: ${v.id} (${v.impact}, ${v.nodes} nodes) ${v.help} — ${v.targets.join(' | ')}`).join('\n');

/** Fails unless the element `selector` names is inside a polite live region (role=status or aria-live=polite). */
async function announcedPolitely(page, selector) {
  const live = await page.locator(selector).first().evaluate((el) => !!el.closest('[role=status],[aria-live=polite]'));
  assert.ok(live, `${selector} is not in a role=status or aria-live=polite region`);
}

for (const scheme of ['light', 'dark']) {
  test(`the demo's pages and dialogs have no serious or critical axe violation (${scheme})`, { timeout: 150_000 }, async (t) => {
    const site = await serveSite({ '/axe.min.js': AXE });
    const { context, page, problems } = await schemePage(t, scheme);
    const found = [];
    try {
      await page.goto(`${site.origin}/`);
      await page.locator('h1').first().waitFor();
      await audit(page, 'start page', found);
      await page.goto(`${site.origin}/setup`);
      await page.locator('h1').first().waitFor();
      await audit(page, 'setup', found);

      await page.goto(`${site.origin}/try`);
      await announcedPolitely(page, 'main .summary');
      await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
        && !/loading|listing/.test(document.querySelector('.summary').textContent), null, { timeout: 30_000 });
      await audit(page, 'overview', found);

      await page.goto(`${site.origin}/try/subscriptions/${RETAIL}`);
      await page.getByRole('heading', { name: 'Contoso Retail – EU', level: 1 }).waitFor();
      await audit(page, 'subscription', found);
      await page.getByRole('button', { name: 'Fix' }).click();
      await page.getByRole('dialog', { name: 'Fix this subscription?' }).waitFor();
      await audit(page, 'subscription: confirm dialog', found);
      await page.keyboard.press('Escape');

      await page.goto(`${site.origin}/try`);
      await page.getByLabel('Select Contoso Sandbox').check();
      await page.getByLabel('Select Contoso Dev/Test').check();
      await page.getByRole('link', { name: 'Plan a change for 2 →' }).click();
      await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
      await audit(page, 'bulk plan', found);
      await page.getByRole('button', { name: /^Apply/ }).click();
      await page.locator('.run-progress .summary').waitFor();
      await announcedPolitely(page, '.run-progress .summary');
      await page.locator('.run-progress .summary').filter({ hasText: / 0 waiting$/ }).waitFor({ timeout: 20_000 });
      await audit(page, 'bulk run', found);

      await page.goto(`${site.origin}/try/machines`);
      const loaded = page.getByRole('status').filter({ hasText: '64 machines, from' });
      await loaded.waitFor({ timeout: 30_000 });
      await page.getByText('64 of 64 machines shown').waitFor();
      await page.getByText(/^Failed MDE extensions:/).click();
      await audit(page, 'machines (failures open)', found);

      for (const name of ['prod-web-01', 'prod-web-02']) {
        await page.getByLabel('Search').fill(name);
        // The table shows the search's rows before a box is ticked (a row drawn anew would
        // drop the tick).
        await page.getByRole('status').filter({ hasText: /^1 of 64 machines shown$/ }).waitFor();
        await page.getByLabel(`Select ${name}`, { exact: true }).check();
      }
      await page.getByLabel('Search').fill('');
      await page.getByRole('link', { name: 'Remove the MDE extension…' }).click();
      await page.getByRole('heading', { name: 'Change machines' }).waitFor();
      await audit(page, 'machine change plan', found);
      await page.getByRole('button', { name: /^Remove the MDE extension on/ }).click();
      await page.locator('.run-progress .summary').filter({ hasText: / 0 waiting$/ }).waitFor({ timeout: 20_000 });
      await announcedPolitely(page, '.run-progress .summary');
      await audit(page, 'machine change run', found);

      // A machine's page: the test alert's steps, the Run Command confirmation, the alert's arrival.
      await page.goto(`${site.origin}/try/machines`);
      await loaded.waitFor({ timeout: 30_000 });
      // (prod-web-01 lost its extension above: its alert would never come.)
      await page.getByLabel('Search').fill('prod-sql-01');
      await page.getByRole('status').filter({ hasText: /^1 of 64 machines shown$/ }).waitFor();
      await page.getByRole('link', { name: /^Verify prod-sql-01:/ }).click();
      await page.getByRole('heading', { name: 'prod-sql-01', level: 1 }).waitFor();
      await audit(page, 'machine page', found);
      await page.getByRole('button', { name: 'Run it from here…' }).click();
      await page.getByRole('dialog').waitFor();
      await audit(page, 'run command confirmation', found);
      await page.getByRole('dialog').getByRole('button', { name: 'Run' }).click();
      await page.getByText('The alert arrived (simulated).').waitFor({ timeout: 45_000 });
      await announcedPolitely(page, '.watch');
      await audit(page, 'machine page, the alert arrived', found);

      await page.goto(`${site.origin}/try/audit`);
      await page.locator('h1').first().waitFor();
      await audit(page, 'audit log', found);

      assert.equal(report(found), '', `serious or critical violations (${scheme}):\n${report(found)}`);
    } catch (error) {
      throw await explained(page, error, problems.map((p) => p.line));
    } finally {
      await context.close();
      await site.close();
    }
  });

  test(`signed in: the overview, a change and the sign-out dialog have no serious or critical axe violation (${scheme})`, { timeout: 60_000 }, async (t) => {
    const overrides = { '/axe.min.js': AXE };
    const site = await serveSite(overrides);
    const fake = await startFakeAzure(['--scenario', SCENARIO, '--app-origin', site.origin, '--auto-approve']);
    overrides['/config.json'] = JSON.stringify({
      clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
    });
    const { context, page } = await schemePage(t, scheme);
    const found = [];
    try {
      await page.goto(`${site.origin}/`);
      await audit(page, 'sign-in page', found);
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.waitForURL(`${site.origin}/tenants/**`);
      await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
        && !/loading|listing/.test(document.querySelector('.summary')?.textContent ?? 'loading'), null, { timeout: 30_000 });
      await audit(page, 'signed-in overview', found);
      // Sign-out asks first only when the session's log holds a change: make one.
      await page.getByRole('link', { name: 'Contoso Retail – EU' }).click();
      await page.getByRole('heading', { name: 'Contoso Retail – EU', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Fix' }).click();
      await page.getByRole('dialog', { name: 'Fix this subscription?' }).getByRole('button', { name: 'Apply' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('dialog', { name: 'Sign out?' }).waitFor();
      await audit(page, 'sign-out dialog', found);
      assert.equal(report(found), '', `serious or critical violations (${scheme}):\n${report(found)}`);
    } finally {
      await context.close();
      fake.stop();
      await site.close();
    }
  });
}
