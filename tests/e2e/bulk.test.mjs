// Bulk changes end to end: select (filters, select-all-shown, quick picks), plan (writes in order,
// skips with their reasons, the Defender for Servers opt-in), apply with live rows read back
// from Azure, the audit log, and a reload in the middle of a run that loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, expectInstallRefused, root } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function overviewLoaded(page) {
  await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
  await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
    && !/loading|listing/.test(document.querySelector('.summary').textContent), null, { timeout: 30000 });
}

/** The plan table as {name: [writes...] or 'Skipped (...): reason'}. */
async function readPlan(page) {
  // The plan page's code is fetched when first shown: wait for its table.
  await page.locator('table.plan tbody tr').first().waitFor();
  return page.$$eval('table.plan tbody tr', (rows) => Object.fromEntries(rows.map((r) => {
    const name = r.querySelector('th').firstChild.textContent.trim();
    const skip = r.querySelector('.skip');
    return [name, skip ? skip.textContent.trim() : [...r.querySelectorAll('li')].map((li) => li.textContent.trim())];
  })));
}

/** The run table as {name: [result, reads back]}. */
async function readRun(page) {
  await page.locator('table.run tbody tr').first().waitFor();
  return page.$$eval('table.run tbody tr', (rows) => Object.fromEntries(rows.map((r) => {
    const cells = [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim());
    return [cells[0], [cells[1], cells[2]]];
  })));
}

/** The demo at `/try` with its overview loaded, for test `t`; `overrides` as for serveSite. */
async function demoOverview(t, overrides = {}) {
  const site = await serveSite(overrides);
  const { page, context, watch } = await watchedPage(t, browser);
  await page.goto(`${site.origin}/try`);
  await overviewLoaded(page);
  return { site, page, context, watch };
}

/**
 * The demo scenario on the fake server with `latencyMs` per answer, one subscription at a time
 * (`concurrency: 1`), signed in on the overview, for test `t`.
 */
async function signedInRun(t, latencyMs) {
  const overrides = {};
  const site = await serveSite(overrides);
  const fake = await startFakeAzure([
    '--scenario', path.join(root, 'public/demo/scenario.json'), '--app-origin', site.origin, '--auto-approve',
    '--latency-ms', String(latencyMs),
  ]);
  overrides['/config.json'] = JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', concurrency: 1,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
  const { page, context } = await watchedPage(t, browser);
  await page.goto(`${site.origin}/`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${site.origin}/tenants/**`);
  return { site, fake, page, context };
}

const statusOf = (page, name) => page.locator('table.subscriptions tbody tr', { has: page.getByRole('link', { name, exact: true }) })
  .locator('td:not(.select)').nth(2).textContent();

test('select with filters, plan Fix with its skips, apply, and every row shows what Azure read back', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  const loaded = [];
  page.on('request', (r) => loaded.push(r.url()));
  try {
    await page.goto(`${site.origin}/try`);
    await overviewLoaded(page);
    // A filter, then "select all shown", picks exactly the rows shown.
    await page.getByLabel('Status').selectOption('partial');
    await page.getByRole('button', { name: /^Select all shown/ }).click();
    await page.getByText('4 subscriptions selected').waitFor();
    // The selection survives the filter going away.
    await page.getByLabel('Status').selectOption('');
    await page.getByText('4 subscriptions selected').waitFor();
    const checked = await page.$$eval('table.subscriptions tbody tr', (rows) => rows
      .filter((r) => r.querySelector('.select input').checked).map((r) => r.querySelector('a').textContent).sort());
    assert.deepEqual(checked, ['Contoso Dev/Test', 'Contoso Finance', 'Contoso Retail – EU', 'Fabrikam (acquired)']);

    await page.getByRole('link', { name: 'Plan a change for 4 →' }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    const plan = await readPlan(page);
    assert.deepEqual(plan['Contoso Retail – EU'], ['Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)']);
    assert.deepEqual(plan['Contoso Dev/Test'], ['Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)']);
    assert.deepEqual(plan['Fabrikam (acquired)'], [
      'Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)',
      'Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)',
    ]);
    // Finance's user is a Security Reader there: skipped, with the roles that could do it.
    assert.match(plan['Contoso Finance'], /^Skipped \(no permission\):.*Security Admin, Contributor or Owner/);
    await page.getByText('4 selected: 3 change with 4 writes; skipped: 1 no permission').waitFor();

    // Turning off says what the seed says before anything is applied.
    await page.getByLabel('Turn the integration off').check();
    await page.getByText(/Machines already onboarded stay onboarded/).waitFor();
    assert.deepEqual((await readPlan(page))['Fabrikam (acquired)'], ['Turn the Defender for Endpoint integration off (WDATP = false)']);
    await page.getByLabel('Turn the integration fully on (Fix)').check();

    // The plan exports for change control, before anything is applied: the file a user gets,
    // made by the export worker, which nobody downloads before they export.
    assert.deepEqual(loaded.filter((u) => u.includes('plan-export')), []);
    const download = async (name) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
      return [file.suggestedFilename(), fs.readFileSync(await file.path(), 'utf8')];
    };
    const [tfName, tf] = await download('Terraform (azurerm)');
    assert.ok(loaded.some((u) => u.endsWith('/plan-export_loader.js')));
    assert.equal(tfName, 'mde-plan-fix-azurerm.tf');
    assert.equal((tf.match(/resource "azurerm_security_center_setting"/g) ?? []).length, 4);
    assert.match(tf, /subscription_id\s*=\s*"451abd81-f1d6-4ed6-97f5-e837d70820fe"/);
    const [, json] = await download('JSON (the writes as data)');
    assert.equal(JSON.parse(json).writes.length, 4);

    await page.getByRole('button', { name: 'Apply 4 writes to 3 subscriptions' }).click();
    await page.getByText('3 done · 0 failed · 1 skipped · 0 waiting').waitFor();
    const run = await readRun(page);
    assert.deepEqual(run, {
      'Contoso Retail – EU': ['Done', 'On · Defender for Servers P2'],
      'Contoso Dev/Test': ['Done', 'On · Defender for Servers P1'],
      'Fabrikam (acquired)': ['Done', 'On · Defender for Servers P2'],
      'Contoso Finance': ['Skipped', ''],
    });

    // Every write is in the audit log, with the value read back.
    const [csvName, csv] = await download('Export results (CSV)');
    assert.equal(csvName, 'mde-results-fix.csv');
    assert.match(csv, /\r\n451abd81-f1d6-4ed6-97f5-e837d70820fe,Fabrikam \(acquired\),Done,2,On,P2,/);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('table.audit tbody tr').nth(3).waitFor();
    assert.equal(await page.locator('table.audit tbody tr').count(), 4);

    // The overview shows what the run read back.
    await page.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await overviewLoaded(page);
    for (const name of ['Contoso Retail – EU', 'Contoso Dev/Test', 'Fabrikam (acquired)']) {
      assert.equal(await statusOf(page, name), 'On', name);
    }
    assert.equal(await statusOf(page, 'Contoso Finance'), 'Partial');
  } finally {
    await context.close();
    await site.close();
  }
});

test('Defender for Servers is turned on only when the plan opts in, as a separate write', async (t) => {
  const { site, page, context } = await demoOverview(t);
  try {
    await page.getByLabel('Select Contoso Sandbox').check();
    await page.getByLabel('Select Contoso Identity').check();
    await page.getByRole('link', { name: 'Plan a change for 2 →' }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    const without = await readPlan(page);
    assert.match(without['Contoso Sandbox'], /^Skipped \(Defender for Servers off\):.*Plan 1 or Plan 2/);
    assert.match(without['Contoso Identity'], /^Skipped \(Defender for Servers off\)/);
    await page.getByLabel('Turn on Plan 2 where it is off').check();
    const plan = await readPlan(page);
    assert.deepEqual(plan['Contoso Sandbox'], [
      'Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour',
      'Turn the Defender for Endpoint integration on (WDATP = true)',
    ]);
    // "On — no plan": the settings are on already; the plan is all it lacks.
    assert.deepEqual(plan['Contoso Identity'], [
      'Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour',
    ]);
    await page.getByText(/2 of them turn Defender for Servers on, billed per server per hour/).waitFor();
    await page.getByRole('button', { name: 'Apply 3 writes to 2 subscriptions' }).click();
    await page.getByText('2 done · 0 failed · 0 skipped · 0 waiting').waitFor();
    const run = await readRun(page);
    assert.deepEqual(run['Contoso Sandbox'], ['Done', 'On · Defender for Servers P2']);
    assert.deepEqual(run['Contoso Identity'], ['Done', 'On · Defender for Servers P2']);
  } finally {
    await context.close();
    await site.close();
  }
});

test('a site without the export worker says so, and the plan still applies', async (t) => {
  const { site, page, context, watch } = await demoOverview(t, { '/plan-export_loader.js': null });
  const installRefused = expectInstallRefused(watch, 'plan-export_loader.js');
  try {
    await page.getByLabel('Select Contoso Dev/Test').check();
    await page.getByRole('link', { name: 'Plan a change for 1 →' }).click();
    await page.getByRole('button', { name: 'Bicep' }).click();
    await page.getByRole('alert').filter({ hasText: 'The export could not be made: the site is missing plan-export_loader.js' }).waitFor();
    await page.getByRole('button', { name: 'Apply 1 write to 1 subscription' }).click();
    await page.getByText('1 done · 0 failed · 0 skipped · 0 waiting').waitFor();
    await installRefused();
  } finally {
    await context.close();
    await site.close();
  }
});

test("the insight panel's Enable Linux for these N plans exactly those subscriptions", async (t) => {
  const { site, page, context } = await demoOverview(t);
  try {
    await page.getByLabel('Select Contoso Sandbox').check();
    await page.getByRole('button', { name: 'Enable Linux for these 3' }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    assert.equal(await page.getByLabel('Enable Linux').isChecked(), true);
    const plan = await readPlan(page);
    assert.deepEqual(Object.keys(plan).sort(), ['Contoso Finance', 'Contoso Retail – EU', 'Fabrikam (acquired)']);
    assert.deepEqual(plan['Fabrikam (acquired)'], ['Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)']);
  } finally {
    await context.close();
    await site.close();
  }
});

test('a reload in the middle of a run loses nothing: Continue re-reads and finishes only the rest', async (t) => {
  const { site: signedIn, fake, page, context } = await signedInRun(t, 400);
  try {
    await overviewLoaded(page);
    await page.getByRole('button', { name: 'All Partial' }).click();
    await page.getByRole('link', { name: /^Plan a change for/ }).click();
    await page.getByRole('button', { name: /^Apply/ }).click();
    // One subscription at a time, each write and read 400 ms: reload once the first is done.
    await page.getByText(/^1 done/).waitFor({ timeout: 20000 });
    await page.reload();
    await page.getByText(/not finished/).waitFor();
    const afterReload = await readRun(page);
    assert.equal(Object.values(afterReload).filter(([r]) => r === 'Done').length, 1);
    assert.ok(Object.values(afterReload).some(([r]) => r === 'Not finished'));
    await page.getByRole('button', { name: /^Continue: re-read and finish/ }).click();
    await page.getByText('3 done · 0 failed · 1 skipped · 0 waiting').waitFor({ timeout: 30000 });
    // No setting of any subscription was written twice. (A write in flight at the reload may be
    // applied with its answer lost: Continue then reads it done and sends nothing.)
    const puts = fake.log.filter((l) => l.startsWith('PUT ') && l.includes('/settings/')).map((l) => l.split(' ')[1].split('?')[0]);
    assert.equal(new Set(puts).size, puts.length, `a write was sent twice:\n${puts.join('\n')}`);
    assert.ok(puts.length >= 3 && puts.length <= 4, puts.join('\n'));
    assert.deepEqual(Object.values(await readRun(page)).map(([, read]) => read).filter(Boolean),
      ['On · Defender for Servers P2', 'On · Defender for Servers P1', 'On · Defender for Servers P2']);
  } finally {
    await context.close();
    fake.stop();
    await signedIn.close();
  }
});

test('Pause holds back the subscriptions not yet started, Resume goes on, Cancel leaves the rest unstarted', async (t) => {
  const { site, fake, page, context } = await signedInRun(t, 300);
  const puts = () => fake.log.filter((l) => l.startsWith('PUT ')).length;
  const summary = () => page.locator('.run-progress .summary').textContent();
  try {
    await overviewLoaded(page);
    await page.getByRole('button', { name: 'All Partial' }).click();
    await page.getByRole('link', { name: /^Plan a change for/ }).click();
    await page.getByRole('button', { name: /^Apply/ }).click();
    // One subscription at a time: pause while the first is under way.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(/— paused$/).waitFor();
    await page.getByText(/^1 done/).waitFor({ timeout: 10000 });
    const whilePaused = puts();
    await page.waitForTimeout(1500);
    assert.equal(puts(), whilePaused, 'no write while paused');
    assert.match(await summary(), /^1 done · 0 failed · 1 skipped · 2 waiting/);

    // Resume: the next subscription starts; pause again while it is under way.
    await page.getByRole('button', { name: 'Resume' }).click();
    for (const start = Date.now(); puts() === whilePaused && Date.now() - start < 5000;) await page.waitForTimeout(20);
    assert.equal(puts(), whilePaused + 1, 'Resume started the next subscription');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(/^2 done/).waitFor({ timeout: 10000 });
    // Cancel: the one left never starts, and Continue offers to finish it.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Continue: re-read and finish 1 subscription' }).waitFor({ timeout: 10000 });
    const results = Object.values(await readRun(page)).map(([r]) => r).sort();
    assert.deepEqual(results, ['Done', 'Done', 'Not finished', 'Skipped']);
    assert.equal(puts(), whilePaused + 1, 'nothing more was sent');

    await page.getByRole('button', { name: 'Continue: re-read and finish 1 subscription' }).click();
    await page.getByText('3 done · 0 failed · 1 skipped · 0 waiting').waitFor({ timeout: 20000 });
  } finally {
    await context.close();
    fake.stop();
    await site.close();
  }
});
