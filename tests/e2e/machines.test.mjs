// The machines page end to end: the deployment-status table of the demo tenant (cells, filters
// and sort in the URL, search, a chart click), its CSVs parsed back, hostile names and tags as
// text; and against the fake server signed in: the Linux auto-update tag set and cleared with
// every other tag kept (read through ARM), the extension removed through ARM's long-running
// operation (a failed operation shown in ARM's words, then retried), a reload mid-removal that
// sends no second delete, and Resource Graph throttled (the same machines through ARM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, root } from './harness.mjs';
import { frames } from './rows.mjs';

const SCENARIO = path.join(root, 'public/demo/scenario.json');
const scenario = () => JSON.parse(fs.readFileSync(SCENARIO, 'utf8'));
/** The table's columns, as its headers name them. */
const COLUMNS = ['Machine', 'Kind', 'OS', 'OS version', 'State', 'Subscription', 'Resource group', 'Region', 'Plan',
  'Integration', 'MDE extension', 'Provisioning state', 'Error', 'ExcludeMdeAutoUpdate', 'Readiness'];
const TAGS_API = '2021-04-01';
const OFFBOARDING_URL = 'https://learn.microsoft.com/defender-endpoint/offboard-machines';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Every machine of the demo scenario as {name, id, subscription, entry}. */
function scenarioMachines(s = scenario()) {
  return s.subscriptions.flatMap((e) => [...(e.virtualMachines ?? []), ...(e.arcMachines ?? [])]
    .map((m) => ({ name: m.resource.name, id: m.resource.id, subscription: e.subscription, entry: m })));
}

/** A failed MDE extension's message as ARM's instance view holds it (VM: the error status). */
function failureMessage(m) {
  const ext = (m.entry.extensions ?? []).find((x) => /^MDE\./.test(x.name));
  const view = ext?.properties.instanceView;
  const status = view?.status ?? view?.statuses?.find((s) => s.level === 'Error');
  return status?.message.trim();
}

/** Waits until the summary says `n machines, from <source>` and every row knows its subscription's facts. */
async function machinesLoaded(page, n, source = 'Resource Graph', factsMs = 15_000) {
  await page.getByRole('status').filter({ hasText: `${n} machines, from ${source}` }).waitFor({ timeout: 30_000 });
  await page.getByText(`${n} of ${n} machines shown`).waitFor();
  for (const start = Date.now(); ;) {
    const rows = await everyMachine(page);
    if (!rows.some((r) => r.Readiness === 'Subscription unknown')) return rows;
    assert.ok(Date.now() - start < factsMs, `the subscriptions' plans and settings never arrived: ${JSON.stringify(
      rows.filter((r) => r.Readiness === 'Subscription unknown').map((r) => [r.Machine, r.Subscription, r.Plan, r.Integration]))}`);
    await page.waitForTimeout(100);
  }
}

/**
 * Every row of the machines table in its order, each as {column label: cell text}, read while
 * scrolling from the top to the bottom (only the rows in view are in the page). Fails unless
 * as many rows were read as the table says it holds.
 */
async function everyMachine(page) {
  // The table scrolls in its own box: bring the box into the window, then scroll the box.
  await page.evaluate(() => { const box = document.querySelector('.machines-box'); box.scrollIntoView(); box.scrollTo(0, 0); });
  await frames(page);
  const rows = new Map();
  for (;;) {
    const seen = await page.$$eval('table.machines tbody tr', (trs) => trs.map((tr) => [Number(tr.getAttribute('aria-rowindex')),
      // The subscription's cell also holds a portal link: its title is the name alone.
      [...tr.querySelectorAll('th, td:not(.select)')].map((c, i) => (i === 5 ? c.title : c.textContent.trim()))]));
    for (const [index, cells] of seen) rows.set(index, cells);
    const moved = await page.evaluate(() => {
      const box = document.querySelector('.machines-box');
      const before = box.scrollTop;
      box.scrollBy(0, box.clientHeight / 2);
      return box.scrollTop !== before;
    });
    if (!moved) break;
    await frames(page);
  }
  const count = Number(await page.getAttribute('table.machines', 'aria-rowcount')) - 1;
  assert.equal(rows.size, count, `read ${rows.size} rows while scrolling; the table holds ${count}`);
  return [...rows.entries()].sort(([a], [b]) => a - b)
    .map(([, cells]) => Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]])));
}

const byName = (rows) => Object.fromEntries(rows.map((r) => [r.Machine, r]));
const shown = (page, n, of) => page.getByRole('status').filter({ hasText: new RegExp(`^${n} of ${of} machines shown$`) }).waitFor();
const query = (page) => Object.fromEntries(new URL(page.url()).searchParams);

/** Minimal RFC 4180 reader: quoted cells may hold commas, quotes and line breaks; records end CRLF. */
function parseCsv(text) {
  const records = [];
  let [record, cell, quoted] = [[], '', false];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cell); records.push(record); [record, cell] = [[], '']; i += 1;
    } else if (c === '\n' || c === '\r') throw new Error(`a bare line break at ${i}: records must end CRLF`);
    else cell += c;
  }
  assert.equal(cell + record.join(''), '', 'the file ends with CRLF');
  return records;
}

/** Clicks `button` and reads the file it downloads: {name, bytes}. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

/** A CSV download as records, after checking it opens cleanly in a spreadsheet: UTF-8 BOM, CRLF. */
function spreadsheet({ bytes }) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
  return parseCsv(bytes.subarray(3).toString('utf8'));
}

/** The plan table as {name: write text or 'Skipped (...): reason'}. */
const readPlan = async (page) => {
  // A page's code is fetched when first shown: wait for its table.
  await page.locator('table.plan tbody tr').first().waitFor();
  return page.$$eval('table.plan tbody tr', (rows) => Object.fromEntries(rows.map((r) => [
    r.querySelector('th').textContent, r.querySelectorAll('td')[1].textContent.trim()])));
};

/** The run table as {name: {result, read, operation, code, problem, retry}}. */
const readRun = async (page) => {
  await page.locator('table.run tbody tr').first().waitFor();
  return page.$$eval('table.run tbody tr', (rows) => Object.fromEntries(rows.map((r) => {
    const [name, result, read, problem] = [...r.querySelectorAll('th, td')];
    const operation = read.querySelector('.advice');
    return [name.textContent, {
      result: result.textContent.trim(),
      read: [...read.childNodes].filter((n) => n !== operation).map((n) => n.textContent).join('').trim(),
      operation: operation?.textContent.trim() ?? '',
      code: problem.dataset.code ?? '',
      problem: problem.querySelector('strong')?.textContent ?? '',
      retry: !!problem.querySelector('button.retry'),
    }];
  })));
};

const runSummary = (page, text) => page.locator('.run-progress .summary').filter({ hasText: new RegExp(`^${text}$`) })
  .waitFor({ timeout: 20_000 });

/** Ticks each machine's box, found by searching for its name (the selection outlives the search). */
async function select(page, names) {
  for (const name of names) {
    await page.getByLabel('Search').fill(name);
    await page.getByLabel(`Select ${name}`, { exact: true }).check();
  }
  await page.getByLabel('Search').fill('');
  await page.getByText(`${names.length} machine${names.length === 1 ? '' : 's'} selected`).waitFor();
}

/** The demo at `/try/machines` with its 64 machines read, for test `t`; `overrides` as for serveSite. */
async function demoMachines(t, overrides = {}) {
  const site = await serveSite(overrides);
  const { page, context } = await watchedPage(t, browser);
  await page.goto(`${site.origin}/try/machines`);
  const rows = await machinesLoaded(page, 64);
  return { site, page, context, rows };
}

/** The fake's test-only routes (`--witness`). */
async function witness(fake, method, route) {
  const response = await fetch(`${fake.origin}/_witness/${route}`, { method });
  assert.ok(response.ok, `${method} /_witness/${route}: ${response.status}`);
  return response.json();
}

/** GET through ARM on the fake, with a token of the signed-in user's: status and body. */
async function arm(fake, resourcePath) {
  const { accessToken } = await witness(fake, 'GET', 'token');
  const response = await fetch(`${fake.origin}${resourcePath}`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/**
 * A scenario on the fake server (`--witness` on, removals done in `lroMs`), signed in, on the
 * machines page with every machine read, for test `t`.
 */
async function signedInMachines(t, { file = SCENARIO, lroMs = 1500, args = [], early = false, factsMs } = {}) {
  const overrides = {};
  const site = await serveSite(overrides);
  const fake = await startFakeAzure(['--scenario', file, '--app-origin', site.origin, '--auto-approve', '--witness',
    '--lro-ms', String(lroMs), ...args]);
  overrides['/config.json'] = JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', concurrency: 4,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
  const { page, context } = await watchedPage(t, browser);
  const close = async () => { await context.close(); fake.stop(); await site.close(); };
  try {
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${site.origin}/tenants/**`);
    if (early) {
      // Left as soon as the subscriptions are listed, some plans and settings still to read.
      await page.waitForFunction(() => document.querySelectorAll('table.subscriptions tbody tr').length >= 10
        && document.querySelector('table.subscriptions .pending'));
    } else {
      await overviewLoaded(page);
    }
    await page.getByRole('link', { name: 'Machines', exact: true }).click();
    const rows = await machinesLoaded(page, 64, undefined, factsMs);
    return { site, fake, page, rows, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Waits until the overview has read every subscription's plan and settings. */
async function overviewLoaded(page) {
  await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
  await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
    && !/loading|listing/.test(document.querySelector('.summary').textContent), null, { timeout: 30_000 });
}

test('the demo table: the right cells, filters that live in the URL and survive a reload, search, sort', async (t) => {
  const { site, page, context, rows } = await demoMachines(t);
  try {
    const all = byName(rows);
    const machines = scenarioMachines();
    assert.equal(rows.length, 64);
    assert.deepEqual(Object.keys(all).sort(), machines.map((m) => m.name).sort());
    // Sorted by machine name, in natural order, by default.
    assert.deepEqual(rows.map((r) => r.Machine), Object.keys(all).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));

    // A stopped and a deallocated VM: their state, and why nothing installs.
    assert.equal(all['prod-api-03'].State, 'Stopped');
    assert.equal(all['prod-api-03'].Readiness, 'Not running');
    assert.equal(all['prod-api-03']['MDE extension'], 'None');
    assert.equal(all['prod-web-03'].State, 'Deallocated');
    assert.equal(all['ams-log-01'].State, 'Disconnected');
    assert.equal(all['fab-legacy-db'].State, 'Expired');
    // Windows 10 (not multi-session) with no extension: unsupported; Windows 11 multi-session is covered.
    assert.equal(all['dev-laptop-image'].Readiness, 'Unsupported OS');
    assert.equal(all['dev-avd-host-01'].Readiness, 'Covered');
    // Server 2016 without the unified solution on its subscription.
    assert.equal(all['dev-build-02'].Readiness, 'Needs unified solution');
    // A failed extension shows ARM's message, VM (read through the instance view) and Arc alike.
    for (const name of ['pos-kiosk-01', 'prod-api-02', 'ams-db-02', 'fab-legacy-db']) {
      const machine = machines.find((m) => m.name === name);
      assert.equal(all[name].Readiness, 'Failed', name);
      assert.equal(all[name]['Provisioning state'], 'Failed', name);
      assert.equal(all[name].Error, failureMessage(machine), name);
    }
    assert.deepEqual(
      ['Kind', 'OS', 'Subscription', 'Plan', 'Integration', 'MDE extension', 'ExcludeMdeAutoUpdate'].map((c) => all['dev-k8s-node-01'][c]),
      ['VM', 'Linux', 'Contoso Dev/Test', 'P1', 'Partial', 'MDE.Linux', 'Yes'],
    );
    assert.equal(all['prod-batch-01'].ExcludeMdeAutoUpdate, 'No');
    assert.equal(all['prod-web-01'].ExcludeMdeAutoUpdate, '', 'the tag means nothing on Windows');
    assert.deepEqual([all['ams-nfs-01'].Kind, all['ams-nfs-01']['OS version']],
      ['Arc', 'Red Hat Enterprise Linux 9.4 5.14.0-427.13.1.el9_4.x86_64']);

    // A filter through "Filter on" and its value: into the URL, and the rows it keeps.
    const deallocated = rows.filter((r) => r.State === 'Deallocated').map((r) => r.Machine);
    assert.equal(deallocated.length, 3);
    await page.getByLabel('Filter on').selectOption({ label: 'State' });
    await page.getByLabel('Value', { exact: true }).selectOption({ label: 'Deallocated (3)' });
    await shown(page, 3, 64);
    assert.equal(query(page).state, 'Deallocated');
    assert.deepEqual((await everyMachine(page)).map((r) => r.Machine), deallocated);
    // A second filter narrows further; both in the URL.
    await page.getByLabel('Filter on').selectOption({ label: 'OS' });
    await page.getByLabel('Value', { exact: true }).selectOption('Linux');
    await shown(page, 1, 64);
    assert.deepEqual(query(page), { os: 'Linux', state: 'Deallocated' });
    assert.deepEqual((await everyMachine(page)).map((r) => r.Machine), ['spark-worker-02']);

    // A reload keeps them: the same rows, the same chips.
    await page.reload();
    await shown(page, 1, 64);
    assert.deepEqual((await everyMachine(page)).map((r) => r.Machine), ['spark-worker-02']);
    await page.getByRole('button', { name: 'Remove filter State: Deallocated' }).waitFor();
    await page.getByRole('button', { name: 'Remove filter OS: Linux' }).click();
    await shown(page, 3, 64);
    await page.getByRole('button', { name: 'Clear all filters' }).click();
    await shown(page, 64, 64);
    assert.deepEqual(query(page), {});

    // Search narrows the rows at once (here on a part of their names), and reaches the URL
    // once typing pauses.
    await page.getByLabel('Search').fill('kiosk');
    await shown(page, 2, 64);
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'kiosk');
    assert.equal(query(page).q, 'kiosk');
    assert.deepEqual((await everyMachine(page)).map((r) => r.Machine), ['pos-kiosk-01', 'pos-kiosk-02']);

    // A header click sorts by its column; again, the other way.
    await page.getByLabel('Search').fill('prod-web');
    await shown(page, 4, 64);
    await page.getByRole('button', { name: 'Machine', exact: true }).click();
    assert.equal(query(page).sort, '-machine');
    assert.equal(await page.locator('th.col-machine').getAttribute('aria-sort'), 'descending');
    assert.deepEqual((await everyMachine(page)).map((r) => r.Machine), ['prod-web-04', 'prod-web-03', 'prod-web-02', 'prod-web-01']);
    await page.getByRole('button', { name: 'State', exact: true }).click();
    assert.equal(query(page).sort, 'state');
    const byState = await everyMachine(page);
    assert.deepEqual(byState.map((r) => r.State), ['Deallocated', 'PowerState/starting', 'Running', 'Running']);
    await page.getByRole('button', { name: /^State/ }).click();
    assert.equal(query(page).sort, '-state');
    assert.deepEqual((await everyMachine(page)).map((r) => r.State), ['Running', 'Running', 'PowerState/starting', 'Deallocated']);
  } finally {
    await context.close();
    await site.close();
  }
});

test('a click on a chart part filters the table to it, and a second click takes the filter off', async (t) => {
  const { site, page, context, rows } = await demoMachines(t);
  try {
    const failed = rows.filter((r) => r.Readiness === 'Failed').map((r) => r.Machine);
    const expected = scenarioMachines().filter((m) => (m.entry.extensions ?? [])
      .some((x) => /^MDE\./.test(x.name) && x.properties.provisioningState === 'Failed')).map((m) => m.name);
    assert.deepEqual([...failed].sort(), [...expected].sort());
    const coverage = page.locator('figure', { has: page.getByText('MDE coverage', { exact: true }) });
    const part = coverage.getByRole('button', { name: /^Failed: / });
    assert.equal(await part.textContent(), `Failed: ${failed.length} (${Math.round((failed.length / 64) * 100)}%)`);

    await part.click();
    await shown(page, failed.length, 64);
    assert.equal(query(page).coverage, 'failed');
    await page.getByRole('button', { name: 'Remove filter Coverage: failed' }).waitFor();
    assert.equal(await part.getAttribute('aria-pressed'), 'true');
    const filtered = await everyMachine(page);
    assert.deepEqual(filtered.map((r) => r.Machine), failed);
    assert.ok(filtered.every((r) => r.Readiness === 'Failed'));

    await part.click();
    await shown(page, 64, 64);
    assert.equal(query(page).coverage, undefined);
    assert.equal(await part.getAttribute('aria-pressed'), 'false');
    await page.getByRole('group', { name: 'Active filters' }).waitFor({ state: 'detached' });

    // A bar of another chart does the same: Arc machines only.
    const arc = rows.filter((r) => r.Kind === 'Arc').length;
    await page.locator('figure', { has: page.getByText('VMs and Arc machines', { exact: true }) }).locator('rect.part-arc').click();
    await shown(page, arc, 64);
    assert.equal(query(page).kind, 'Arc');
  } finally {
    await context.close();
    await site.close();
  }
});

test('the CSV of the rows shown and the failed-extension report open cleanly, formulas defused', async (t) => {
  // An Arc extension's status message is written on the machine: one that reads as a formula.
  const formula = '=HYPERLINK("http://attacker.example/x","Fix, now")';
  const s = scenario();
  const dbExtension = scenarioMachines(s).find((m) => m.name === 'ams-db-02').entry.extensions.find((x) => x.name === 'MDE.Linux');
  dbExtension.properties.instanceView.status.message = formula;
  const { site, page, context } = await demoMachines(t, { '/demo/scenario.json': JSON.stringify(s) });
  try {
    await page.locator('figure', { has: page.getByText('MDE coverage', { exact: true }) }).getByRole('button', { name: /^Failed: / }).click();
    const failed = await everyMachine(page);
    await shown(page, failed.length, 64);

    const rowsFile = await download(page, page.getByRole('button', { name: 'Download CSV of these' }));
    assert.equal(rowsFile.name, 'machines.csv');
    const [header, ...records] = spreadsheet(rowsFile);
    assert.deepEqual(header, [...COLUMNS, 'Coverage', 'Advice', 'Tags', 'Resource ID']);
    // The same rows as the table, in its order, with its cells.
    assert.deepEqual(records.map((r) => r[0]), failed.map((r) => r.Machine));
    const at = (name) => Object.fromEntries(header.map((h, i) => [h, records.find((r) => r[0] === name)[i]]));
    for (const row of failed) {
      const record = at(row.Machine);
      for (const column of COLUMNS.filter((c) => c !== 'Error')) assert.equal(record[column], row[column], `${row.Machine} ${column}`);
      assert.equal(record.Coverage, 'Failed');
    }
    assert.equal(at('ams-db-02').Error, `'${formula}`, 'the formula is text');
    assert.equal(at('pos-kiosk-01').Error, failed.find((r) => r.Machine === 'pos-kiosk-01').Error);
    assert.match(at('ams-db-02')['Resource ID'], /^\/subscriptions\/.*\/providers\/Microsoft\.HybridCompute\/machines\/ams-db-02$/);

    // The failed extensions grouped by their message, as MDEExtErrorReport.ps1 reports them.
    const groups = {};
    for (const row of failed) groups[row.Error] = [...(groups[row.Error] ?? []), row.Machine];
    await page.getByText(`Failed MDE extensions: ${failed.length} machine(s), ${Object.keys(groups).length} distinct error(s)`).click();
    const reportFile = await download(page, page.getByRole('button', { name: 'Download the error report (CSV)' }));
    assert.equal(reportFile.name, 'mde-extension-errors.csv');
    const [reportHeader, ...lines] = spreadsheet(reportFile);
    assert.deepEqual(reportHeader, ['Error', 'Machines with this error', 'Machine', 'Subscription', 'Resource group', 'Resource ID']);
    assert.equal(lines.length, failed.length);
    const reported = {};
    for (const [error, count, machine] of lines) {
      const key = error === `'${formula}` ? formula : error;
      reported[key] = [...(reported[key] ?? []), machine];
      assert.equal(Number(count), groups[key]?.length, `${machine}: ${error}`);
    }
    assert.deepEqual(Object.fromEntries(Object.entries(reported).map(([k, v]) => [k, v.sort()])),
      Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, v.sort()])));
    // Largest group first.
    const sizes = lines.map((l) => Number(l[1]));
    assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  } finally {
    await context.close();
    await site.close();
  }
});

test('hostile tags and machine names render as text and run nothing', async (t) => {
  const hostileName = 'pay"\'<img src=x onerror=alert(2)>';
  const s = scenario();
  const payApi = scenarioMachines(s).find((m) => m.name === 'pay-api-01').entry.resource;
  payApi.id = payApi.id.replace(/pay-api-01$/, hostileName);
  payApi.name = hostileName;
  const { site, page, context, rows } = await demoMachines(t, { '/demo/scenario.json': JSON.stringify(s) });
  try {
    assert.ok(rows.some((r) => r.Machine === hostileName));
    // The search looks in tags: shared-tools-01's owner tag is a script element's text.
    await page.getByLabel('Search').fill('<script>alert(1)</script>');
    await shown(page, 1, 64);
    assert.deepEqual((await everyMachine(page)).map((r) => r.Machine), ['shared-tools-01']);
    // Its note tag and the hostile name: both rows, the name exactly as ARM gave it.
    await page.getByLabel('Search').fill('<img src=x onerror=alert');
    await shown(page, 2, 64);
    const found = await everyMachine(page);
    assert.deepEqual(found.map((r) => r.Machine).sort(), [hostileName, 'shared-tools-01'].sort());
    assert.equal(await page.locator('table.machines tbody th').filter({ hasText: hostileName }).getAttribute('title'), hostileName);
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, table script').length), 0, 'markup became elements');
    await page.getByLabel(`Select ${hostileName}`, { exact: true }).check();
    await page.getByRole('link', { name: 'Remove the MDE extension…' }).click();
    await page.getByRole('heading', { name: 'Change machines' }).waitFor();
    assert.match((await readPlan(page))[hostileName], /^Skipped \(no MDE extension\)/);

    // No element was made of the markup, so nothing of it can run (the harness fails the test
    // on any dialog all the same).
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, table script').length), 0, 'markup became elements');
  } finally {
    await context.close();
    await site.close();
  }
});

test('the Linux auto-update tag is set and cleared on a machine with 30 other tags, which all stay', async (t) => {
  const { fake, page, close } = await signedInMachines(t);
  try {
    const batch = scenarioMachines().find((m) => m.name === 'prod-batch-01');
    const others = batch.entry.resource.tags;
    assert.equal(Object.keys(others).length, 30);
    const tagsAt = `${batch.id}/providers/Microsoft.Resources/tags/default?api-version=${TAGS_API}`;

    await select(page, ['prod-batch-01', 'prod-web-01']);
    await page.getByRole('link', { name: 'Exclude from MDE auto-update…' }).click();
    await page.getByRole('heading', { name: 'Change machines' }).waitFor();
    assert.equal(await page.getByLabel('Exclude from MDE automatic updates (ExcludeMdeAutoUpdate=true)').isChecked(), true);
    assert.deepEqual(await readPlan(page), {
      'prod-batch-01': 'Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)',
      'prod-web-01': 'Skipped (Windows: the tag is for Linux): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.',
    });
    await page.getByText('2 machines selected: 1 to write; skipped: 1 Windows: the tag is for Linux').waitFor();
    // The plan exports for change control, made by the export worker: the one write, as az.
    const exports = page.locator('p.exports');
    assert.deepEqual(await exports.getByRole('button').allTextContents(),
      ['Azure CLI (bash)', 'PowerShell (Az.Resources)', 'REST calls (az rest, bash)', 'JSON (the writes as data)']);
    const [file] = await Promise.all([page.waitForEvent('download'), exports.getByRole('button', { name: 'Azure CLI (bash)' }).click()]);
    assert.equal(file.suggestedFilename(), 'mde-machines-exclude-auto-update.sh');
    const script = fs.readFileSync(await file.path(), 'utf8');
    assert.equal(script.split('\n').filter((l) => l.startsWith('az tag update')).length, 1, script);
    assert.ok(script.includes('prod-batch-01') && script.includes('--operation Merge'), script);
    await page.getByRole('button', { name: 'Exclude from MDE automatic updates (ExcludeMdeAutoUpdate=true) on 1 machine' }).click();
    await runSummary(page, '1 done · 0 failed · 1 skipped · 0 waiting');
    const set = await readRun(page);
    assert.deepEqual([set['prod-batch-01'].result, set['prod-batch-01'].read], ['Done', 'ExcludeMdeAutoUpdate=true, 31 tags in all']);
    assert.equal(set['prod-web-01'].result, 'Skipped');
    // ARM holds the tag and every other tag as it was.
    const afterSet = await arm(fake, tagsAt);
    assert.equal(afterSet.status, 200);
    assert.deepEqual(afterSet.body.properties.tags, { ...others, ExcludeMdeAutoUpdate: 'true' });
    assert.equal(fake.log.filter((l) => l.startsWith('PATCH ')).length, 1, 'one write, for the Linux machine');

    // Back on the table, the row shows it; the selection is still there for the next change.
    await page.getByRole('link', { name: 'Done: back to the machines' }).click();
    await page.getByLabel('Search').fill('prod-batch-01');
    await shown(page, 1, 64);
    assert.equal((await everyMachine(page))[0].ExcludeMdeAutoUpdate, 'Yes');
    await page.getByRole('link', { name: 'Include in MDE auto-update…' }).click();
    assert.equal(await page.getByLabel('Include in MDE automatic updates again (clear ExcludeMdeAutoUpdate)').isChecked(), true);
    assert.equal((await readPlan(page))['prod-batch-01'],
      'Clear the tag ExcludeMdeAutoUpdate (tags PATCH, operation Delete: the other tags are kept)');
    await page.getByRole('button', { name: /^Include in MDE automatic updates again .* on 1 machine$/ }).click();
    await runSummary(page, '1 done · 0 failed · 1 skipped · 0 waiting');
    const cleared = (await readRun(page))['prod-batch-01'];
    assert.deepEqual([cleared.result, cleared.read], ['Done', 'ExcludeMdeAutoUpdate not set, 30 tags in all']);
    assert.deepEqual((await arm(fake, tagsAt)).body.properties.tags, others);
    await page.getByRole('link', { name: 'Done: back to the machines' }).click();
    await page.getByLabel('Search').fill('prod-batch-01');
    await shown(page, 1, 64);
    assert.equal((await everyMachine(page))[0].ExcludeMdeAutoUpdate, 'No');

    // Both writes are in the audit log, with what ARM read back.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('table.audit tbody tr').nth(1).waitFor();
    const audit = await page.$$eval('table.audit tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())));
    assert.equal(audit.length, 2);
    // Newest first: the clear, then the set. Columns: time, user, subscription, setting, before, requested, after, answer.
    assert.deepEqual(audit.map((r) => r.slice(2, 8)), [
      ['Contoso Production', `ExcludeMdeAutoUpdate tag on ${batch.id}`, 'true', 'false', 'false', '200 OK'],
      ['Contoso Production', `ExcludeMdeAutoUpdate tag on ${batch.id}`, 'false', 'true', 'true', '200 OK'],
    ]);
  } finally {
    await close();
  }
});

test("removing the extension follows ARM's operation to the end; a failed operation shows ARM's words, and Retry removes it", async (t) => {
  const failure = { code: 'VMExtensionProvisioningError',
    message: "VM has reported a failure when processing extension 'MDE.Windows'. Error message: \"Uninstall failed: the sense service is in use\"." };
  const s = scenario();
  scenarioMachines(s).find((m) => m.name === 'prod-web-02').entry.failedDeletions = [failure];
  const file = path.join(os.tmpdir(), `mde-e2e-machines-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(s));
  const { fake, page, close } = await signedInMachines(t, { file, lroMs: 1000 });
  try {
    const [web1, web2] = ['prod-web-01', 'prod-web-02'].map((n) => scenarioMachines(s).find((m) => m.name === n));
    await select(page, ['prod-web-01', 'prod-web-02', 'prod-web-03']);
    await page.getByRole('link', { name: 'Remove the MDE extension…' }).click();
    await page.getByRole('heading', { name: 'Change machines' }).waitFor();
    assert.equal(await page.getByLabel('Remove the MDE extension').isChecked(), true);
    // The seed's steps in order, with the offboarding link.
    const steps = page.getByRole('region', { name: 'Removing Defender for Endpoint, in order' }).getByRole('listitem');
    assert.equal(await steps.count(), 3);
    assert.match(await steps.nth(0).textContent(), /^Turn the integration off for the subscription/);
    assert.match(await steps.nth(1).textContent(), /^Delete the MDE\.Windows \/ MDE\.Linux extension/);
    assert.match(await steps.nth(2).textContent(), /removing the extension does NOT offboard it/);
    assert.equal(await steps.nth(2).getByRole('link', { name: 'How to offboard' }).getAttribute('href'), OFFBOARDING_URL);
    // The integration is on in Contoso Production: the extension would come back.
    const back = page.getByRole('region', { name: 'The extension would come back' });
    assert.match(await back.getByRole('listitem').textContent(),
      /^Contoso Production — The integration is on .* install MDE again on these 2 machines\. .*\(prod-web-01, prod-web-02\)$/);
    await back.getByRole('button', { name: 'Turn the integration off for 1 subscription first…' }).waitFor();
    const plan = await readPlan(page);
    assert.equal(plan['prod-web-01'], 'Delete the MDE.Windows extension (a long-running operation, followed until it ends)');
    assert.match(plan['prod-web-03'], /^Skipped \(machine not running\): The VM is stopped/);

    await page.getByRole('button', { name: 'Remove the MDE extension on 2 machines' }).click();
    // ARM answers 202 and the operation runs on: the rows show it running, then how it ended.
    await page.locator('table.run tr.run-running').first().waitFor();
    await runSummary(page, '1 done · 1 failed · 1 skipped · 0 waiting');
    let run = await readRun(page);
    assert.deepEqual(run['prod-web-01'], { result: 'Done', read: 'extension removed (ARM: not found)', operation: 'Operation: Succeeded',
      code: '', problem: '', retry: false });
    assert.deepEqual([run['prod-web-02'].result, run['prod-web-02'].code, run['prod-web-02'].problem, run['prod-web-02'].retry],
      ['Failed', failure.code, failure.message, true]);
    assert.deepEqual([run['prod-web-02'].read, run['prod-web-02'].operation], ['extension still there, provisioning state Failed', 'Operation: Failed']);
    assert.ok(fake.log.some((l) => /^DELETE .*\/prod-web-01\/extensions\/MDE\.Windows\?.* -> 202/.test(l)), fake.log.join('\n'));

    // Retry re-reads (Failed), deletes again, and this time the operation succeeds.
    await page.locator('table.run tr', { hasText: 'prod-web-02' }).getByRole('button', { name: 'Retry' }).click();
    await runSummary(page, '2 done · 0 failed · 1 skipped · 0 waiting');
    run = await readRun(page);
    assert.deepEqual([run['prod-web-02'].result, run['prod-web-02'].read], ['Done', 'extension removed (ARM: not found)']);
    for (const m of [web1, web2]) {
      const { status } = await arm(fake, `${m.id}/extensions/MDE.Windows?api-version=2024-07-01`);
      assert.equal(status, 404, `${m.name}'s extension is gone from ARM`);
    }

    // The table shows them without the extension.
    await page.getByRole('link', { name: 'Done: back to the machines' }).click();
    await page.getByLabel('Search').fill('prod-web');
    await shown(page, 4, 64);
    const after = byName(await everyMachine(page));
    assert.deepEqual(['prod-web-01', 'prod-web-02', 'prod-web-03'].map((n) => after[n]['MDE extension']), ['None', 'None', 'MDE.Windows']);
    // Every deletion sent is in the audit log: two for prod-web-02 (failed, then done), one for prod-web-01.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('table.audit tbody tr').nth(2).waitFor();
    const audit = await page.$$eval('table.audit tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('td')[2].textContent));
    assert.deepEqual(audit.sort(), [web1, web2, web2].map((m) => `MDE.Windows extension on ${m.id}`).sort());
  } finally {
    await close();
    fs.rmSync(file, { force: true });
  }
});

test('"Turn the integration off first" opens the bulk change with Off and those subscriptions selected', async (t) => {
  const { site, page, context } = await demoMachines(t);
  try {
    await select(page, ['prod-web-01', 'legacy-iis-01', 'spark-head-01']);
    await page.getByRole('link', { name: 'Remove the MDE extension…' }).click();
    await page.getByRole('button', { name: 'Turn the integration off for 2 subscriptions first…' }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    assert.match(page.url(), /\/try\/bulk\?action=off$/);
    assert.equal(await page.getByLabel('Turn the integration off').isChecked(), true);
    const planned = await page.$$eval('table.plan tbody tr', (rows) => rows.map((r) => [
      r.querySelector('th').firstChild.textContent.trim(), [...r.querySelectorAll('li')].map((li) => li.textContent.trim())]));
    assert.deepEqual(Object.fromEntries(planned), {
      'Contoso Production': ['Turn the Defender for Endpoint integration off (WDATP = false)'],
      'Contoso Legacy Apps': ['Turn the Defender for Endpoint integration off (WDATP = false)'],
    });
  } finally {
    await context.close();
    await site.close();
  }
});

test('a reload in the middle of a removal loses nothing: Continue watches the operation, sends no second delete', async (t) => {
  const { fake, page, close } = await signedInMachines(t, { lroMs: 4000 });
  try {
    await select(page, ['prod-api-01']);
    await page.getByRole('link', { name: 'Remove the MDE extension…' }).click();
    await page.getByRole('button', { name: 'Remove the MDE extension on 1 machine' }).click();
    const deletes = () => fake.log.filter((l) => /^DELETE .*\/prod-api-01\/extensions\/MDE\.Linux\?/.test(l));
    for (const start = Date.now(); deletes().length === 0;) {
      assert.ok(Date.now() - start < 10_000, 'no delete was sent');
      await page.waitForTimeout(50);
    }
    const reloadedAt = fake.log.length;
    await page.reload();
    await runSummary(page, '0 done · 0 failed · 0 skipped · 0 waiting · 1 not finished');
    assert.equal((await readRun(page))['prod-api-01'].result, 'Not finished');
    await page.getByRole('button', { name: 'Continue: re-read and finish 1 machine' }).click();
    await runSummary(page, '1 done · 0 failed · 0 skipped · 0 waiting');
    const row = (await readRun(page))['prod-api-01'];
    assert.deepEqual([row.result, row.read], ['Done', 'extension removed (ARM: not found)']);
    assert.equal(deletes().length, 1, `one delete in all:\n${deletes().join('\n')}`);
    // Continue found the extension still being deleted (ARM: 200, Deleting) and watched it go.
    const reads = fake.log.slice(reloadedAt).filter((l) => /^GET .*\/prod-api-01\/extensions\/MDE\.Linux\?/.test(l));
    assert.match(reads[0], / -> 200 /, reads.join('\n'));
    assert.match(reads.at(-1), / -> 404 /, reads.join('\n'));
  } finally {
    await close();
  }
});

test('Resource Graph throttled: the page says so, and ARM per subscription lists the same 64 machines', async (t) => {
  const { page, rows, close } = await signedInMachines(t);
  try {
    // Resource Graph stays throttled: every attempt is answered 429 with ARG's quota headers
    // (the fake's own answer's CORS headers kept), in the words the fake uses for a spent quota.
    const refused = [];
    await page.route((url) => url.pathname === '/providers/Microsoft.ResourceGraph/resources', async (route) => {
      refused.push(Date.now());
      const real = await route.fetch();
      return route.fulfill({
        status: 429,
        headers: { ...real.headers(), 'retry-after': '1', 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:00:01' },
        body: JSON.stringify({ error: { code: 'TenantRequestsThrottled',
          message: "Number of 'read' requests for the tenant exceeded. Please try again after '1' seconds after the last request." } }),
      });
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const fallback = await machinesLoaded(page, 64, 'ARM, subscription by subscription');
    const note = page.getByRole('note').filter({ hasText: /^Resource Graph did not answer, so the machines are listed per subscription through ARM\./ });
    assert.match(await note.textContent(), /Resource Graph said: HTTP 429 TenantRequestsThrottled: Number of 'read' requests .* — Azure is throttling requests/);
    // Five attempts, each after the second Retry-After asked for.
    assert.equal(refused.length, 5);
    refused.slice(1).forEach((at, i) => assert.ok(at - refused[i] >= 950, `attempt ${i + 2} came ${at - refused[i]} ms after the last`));
    // The same rows, cell for cell (Resource Graph lower-cases resource groups; ARM keeps their case).
    const fold = (r) => ({ ...r, 'Resource group': r['Resource group'].toLowerCase() });
    assert.deepEqual(fallback.map(fold), rows.map(fold));
  } finally {
    await close();
  }
});

// The overview page stops its load when left; the machines page then loads the overview again,
// so no row stays "Subscription unknown".
test('leaving the overview before it has read every subscription: the machines still get their plan and integration', async (t) => {
  // Every answer 150 ms late: the overview is still reading plans and settings when the user goes on.
  // It fails unless every row has its subscription's plan and settings within 6 s.
  const { close } = await signedInMachines(t, { early: true, args: ['--latency-ms', '150'], factsMs: 6000 });
  await close();
});
