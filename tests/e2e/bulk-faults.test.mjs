// The bulk run in the browser, as crates/fake-azure/tests/bulk.rs runs it natively: a Fix (with
// Plan 1 where it is off) of every subscription of a generated tenant of 200, under every fault
// at once: 429 with Retry-After, 500 and 503, transient 409 Conflict (by rate, and five in a row
// on two subscriptions, more than the client's own retries), connections dropped before ARM saw
// the request and answers lost after ARM did the write, an access token refused mid-run (401,
// then renewal), and three read-only subscriptions (one disabled before the overview, two
// disabled by billing between the plan and the run). "Retry all failed" is clicked while a
// failure may clear by itself.
//
// The witness is the fake's own state, read through ARM with the faults off once the page is
// idle (the fake's test-only `--witness` routes), never the page: every subscription ends in
// the right state or shows why not, none is lost, no row contradicts Azure, and no write is sent
// to a subscription again once its row showed Done.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveSite, startFakeAzure, launch, watchedPage, root } from './harness.mjs';

const SUBSCRIPTIONS = 200;
const CONCURRENCY = 8;
/** Generated subscriptions (by index) another deployment keeps busy: their first five writes
 *  are answered 409 Conflict, as many as the client's attempts. */
const BUSY = [9, 10];
const BUSY_WRITES = 5;
/** The generated subscription left disabled when the overview is read. */
const DISABLED_AT_LOAD = 11;
const RETRY_ROUNDS = 6;
/** ARM refuses an access token this long after it was issued: the sign-in's token dies during
 *  the run (the overview and the plan take a few seconds), the renewed one perhaps once more. */
const REVOKE_ACCESS_AFTER_MS = 12_000;
/** Rates low enough that 200 subscriptions finish in a minute of real time (every retry waits
 *  for real), high enough that every fault is met. */
const FAULTS = ['--fail-429-rate', '0.04', '--retry-after', '1', '--fail-5xx-rate', '0.04', '--drop-rate', '0.03',
  '--lost-answer-rate', '0.03', '--conflict-rate', '0.06', '--latency-ms', '0', '--seed', '11'];
const SETTINGS_API = '2022-05-01';
const PRICINGS_API = '2024-01-01';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The `enabled` holder of WDATP when the integration is fully on (a missing Linux or unified
 *  setting means "included"), else undefined. */
function fullyOnWdatp(settings) {
  const enabled = (name) => settings.find((s) => s.name === name)?.properties.enabled;
  const on = enabled('WDATP') === true && enabled('WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW') !== true
    && enabled('WDATP_UNIFIED_SOLUTION') !== false;
  return on ? settings.find((s) => s.name === 'WDATP').properties : undefined;
}

/** bulk.rs's tenant: one directory, of the generator's read-only subscriptions only one left
 *  disabled, half of the fully-on ones turned off, two kept busy by another deployment. */
function tenant() {
  const generated = execFileSync(path.join(root, 'target/debug/fake-azure'),
    ['generate', '--subscriptions', String(SUBSCRIPTIONS), '--machines', '0', '--seed', '5'], { maxBuffer: 1 << 26 });
  const scenario = JSON.parse(generated);
  const home = scenario.tenants[0].tenantId;
  scenario.subscriptions.forEach((entry, i) => {
    entry.subscription.tenantId = home;
    if (['Disabled', 'Expired', 'Deleted'].includes(entry.subscription.state) && i !== DISABLED_AT_LOAD) {
      entry.subscription.state = 'Enabled';
    }
    const wdatp = entry.settings && fullyOnWdatp(entry.settings);
    if (wdatp && i % 2 === 0) wdatp.enabled = false;
    if (BUSY.includes(i)) entry.conflictingWrites = BUSY_WRITES;
  });
  assert.equal(scenario.subscriptions[DISABLED_AT_LOAD].subscription.state, 'Disabled');
  const file = path.join(os.tmpdir(), `mde-e2e-bulk-faults-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(scenario));
  return { file, ids: scenario.subscriptions.map((e) => e.subscription.subscriptionId.toLowerCase()) };
}

/** The fake's test-only routes. */
async function witness(fake, method, route, body) {
  const response = await fetch(`${fake.origin}/_witness/${route}`, { method, body });
  assert.ok(response.ok, `${method} /_witness/${route}: ${response.status} ${await response.clone().text()}`);
  return response.status === 204 ? null : response.json();
}

/** A subscription's integration and plan as the fake holds them, read through ARM (faults off)
 *  and interpreted here: `label` is what a run row's "Reads back" must say. */
async function held(fake, token, id) {
  const get = async (what, version) => {
    const url = `${fake.origin}/subscriptions/${id}/providers/Microsoft.Security/${what}?api-version=${version}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, `${id} ${what}: ${await response.clone().text()}`);
    const body = await response.json();
    assert.equal(body.nextLink, undefined, 'one page');
    return body.value;
  };
  const [settings, pricings] = await Promise.all([get('settings', SETTINGS_API), get('pricings', PRICINGS_API)]);
  const enabled = (name) => settings.find((s) => s.name === name)?.properties.enabled;
  const servers = pricings.find((p) => p.name === 'VirtualMachines')?.properties;
  const plan = servers?.pricingTier !== 'Standard' ? 'Off' : servers.subPlan === 'P1' ? 'P1' : 'P2';
  const parts = {
    wdatp: enabled('WDATP') === true,
    linux: enabled('WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW') !== true,
    unified: enabled('WDATP_UNIFIED_SOLUTION') !== false,
  };
  const status = !parts.wdatp ? 'Off' : plan === 'Off' ? 'On — no plan' : parts.linux && parts.unified ? 'On' : 'Partial';
  return { ...parts, plan, fullyOn: status === 'On', label: `${status} · Defender for Servers ${plan}` };
}

/** The fake's state of every subscription, read with no faults. */
async function witnessState(fake, ids) {
  await witness(fake, 'POST', 'calm');
  const { accessToken } = await witness(fake, 'GET', 'token');
  const state = {};
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    const batch = ids.slice(i, i + CONCURRENCY);
    const read = await Promise.all(batch.map((id) => held(fake, accessToken, id)));
    batch.forEach((id, j) => { state[id] = read[j]; });
  }
  return state;
}

const same = (a, b) => a.label === b.label && a.wdatp === b.wdatp && a.linux === b.linux && a.unified === b.unified;

/** The run as the page shows it, read at one instant: the summary, whether the run is active
 *  (Pause or Resume shown), and the table as {id: {name, result, read, problem}}; `problem` is
 *  the failure's status and code from the cell's data ("409 Conflict", "subscription not
 *  writable", "" for no answer) or a skip's reason. */
const readRun = (page) => page.evaluate(() => ({
  summary: document.querySelector('.run-progress .summary').textContent,
  active: [...document.querySelectorAll('.actions button')].some((b) => /^(Pause|Resume)$/.test(b.textContent)),
  rows: Object.fromEntries([...document.querySelectorAll('table.run tbody tr[data-subscription]')].map((r) => {
    const cells = [...r.querySelectorAll('th, td')];
    const { status, code } = cells[4].dataset;
    const problem = code === undefined ? cells[4].textContent.trim() : [status, code].filter(Boolean).join(' ');
    return [r.dataset.subscription.toLowerCase(),
      { name: cells[0].textContent, result: cells[1].textContent.trim(), read: cells[2].textContent.trim(), problem,
        retry: !!cells[4].querySelector('button') }];
  })),
}));

/** What is worth retrying, as bulk.rs's `retryable`: no answer, throttled, a 5xx, another
 *  update in progress, a write not applied yet, a re-read that failed; not a refusal that
 *  will stand (read-only, no permission). */
function retryable({ result, problem }) {
  if (result !== 'Failed') return false;
  const m = problem.match(/^(\d{3}) (.*)$/);
  if (!m) return ['', 'NotApplied', 'state unknown'].includes(problem);
  const status = Number(m[1]);
  return status === 429 || status >= 500 || (status === 409 && m[2] === 'Conflict');
}

test('a Fix of 200 subscriptions under every fault ends right or shows why, and writes nothing twice', { timeout: 120_000 }, async (t) => {
  const started = Date.now();
  const { file, ids } = tenant();
  const overrides = {};
  const site = await serveSite(overrides);
  const fake = await startFakeAzure(['--scenario', file, '--app-origin', site.origin, '--auto-approve', '--witness',
    '--revoke-access-after-ms', String(REVOKE_ACCESS_AFTER_MS), ...FAULTS]);
  overrides['/config.json'] = JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', concurrency: CONCURRENCY,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
  const { page, context } = await watchedPage(t, browser);
  try {
    // The overview, read clean.
    await witness(fake, 'POST', 'calm');
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${site.origin}/tenants/**`);
    await page.waitForFunction((n) => new RegExp(`^${n} subscriptions: \\d+ On, \\d+ Partial, \\d+ On — no plan, \\d+ Off$`)
      .test(document.querySelector('.summary')?.textContent.trim()), SUBSCRIPTIONS, { timeout: 30_000 });

    // Fix for all, turning Defender for Servers Plan 1 on where it is off.
    await page.getByRole('button', { name: `Select all shown (${SUBSCRIPTIONS})` }).click();
    await page.getByText(`${SUBSCRIPTIONS} subscriptions selected`).waitFor();
    await page.getByRole('link', { name: `Plan a change for ${SUBSCRIPTIONS} →` }).click();
    await page.getByLabel('Turn on Plan 1 where it is off').check();
    await page.waitForFunction(() => /turn Defender for Servers on/.test(document.querySelector('.summary')?.textContent));
    const planned = await page.$$eval('table.plan tbody tr', (rows) => rows.map((r) => ({
      id: r.dataset.subscription.toLowerCase(), skip: r.querySelector('.skip')?.textContent.trim(), writes: r.querySelectorAll('li').length,
    })));
    const plan = Object.fromEntries(planned.map((p) => [p.id, p]));
    assert.equal(planned.length, SUBSCRIPTIONS);
    assert.match(plan[ids[DISABLED_AT_LOAD]].skip, /^Skipped \(subscription not writable\)/);
    const changing = planned.filter((p) => !p.skip);
    const writes = changing.reduce((n, p) => n + p.writes, 0);
    assert.ok(BUSY.every((i) => plan[ids[i]].writes > 0), 'the busy subscriptions are planned to change');
    assert.ok(changing.length >= 100, `most of the tenant changes: ${changing.length}`);
    const apply = page.getByRole('button', { name: `Apply ${writes} writes to ${changing.length} subscriptions` });
    const summaryText = await page.locator('.summary').textContent();
    const planWrites = Number(summaryText.match(/\((\d+) of them turn Defender for Servers on/)[1]);
    assert.ok(planWrites >= 30, `Plan 1 is turned on where it was off: ${summaryText}`);

    // Billing disables two subscriptions between the plan and the run.
    const busy = BUSY.map((i) => ids[i]);
    const disabledMidRun = changing.map((p) => p.id).filter((id) => !busy.includes(id)).slice(20, 22);
    const before = await witnessState(fake, ids);
    await witness(fake, 'PUT', `subscriptions/${disabledMidRun[0]}/state`, 'Disabled');
    await witness(fake, 'PUT', `subscriptions/${disabledMidRun[1]}/state`, 'Expired');
    const readOnly = [...disabledMidRun, ids[DISABLED_AT_LOAD]];

    // Every fault at once, from the Apply on.
    await witness(fake, 'POST', 'storm');
    const runStart = fake.log.length;
    const runStartedAt = Date.now();
    // When each row was first seen Done: the length of the fake's log then.
    const doneAt = {};
    let rows = {};
    /** Watches the rows until nothing is waiting or running, and the run has stopped. */
    const idle = async (deadline) => {
      for (;;) {
        const seen = await readRun(page);
        rows = seen.rows;
        const at = fake.log.length;
        for (const [id, row] of Object.entries(rows)) if (row.result === 'Done' && !(id in doneAt)) doneAt[id] = at;
        if (/ · 0 waiting$/.test(seen.summary) && !seen.active) return seen.summary;
        assert.ok(Date.now() < deadline, `the run did not settle: ${seen.summary}`);
        await page.waitForTimeout(150);
      }
    };
    await apply.click();
    await idle(Date.now() + 60_000);
    const failedFirst = Object.values(rows).filter((r) => r.result === 'Failed').length;

    // "Retry all failed" while any failure may clear by itself.
    let rounds = 0;
    while (rounds < RETRY_ROUNDS && Object.values(rows).some(retryable)) {
      rounds += 1;
      const failed = Object.values(rows).filter((r) => r.result === 'Failed').length;
      await page.getByRole('button', { name: `Retry all failed (${failed})` }).click();
      await idle(Date.now() + 30_000);
    }
    const { summary } = await readRun(page);
    const runEnd = fake.log.length;
    const runSeconds = (Date.now() - runStartedAt) / 1000;

    // The witness: the fake's own state.
    const afterState = await witnessState(fake, ids);
    const injected = await witness(fake, 'GET', 'injected');
    const runLog = fake.log.slice(runStart, runEnd).filter((l) => !l.includes('-> preflight')).map((line) => {
      const [method, target, , outcome] = line.split(' ');
      const urlPath = target.split('?')[0];
      const m = urlPath.match(/^\/subscriptions\/([^/]+)/);
      return { method, path: urlPath.toLowerCase(), subscription: m?.[1].toLowerCase(), outcome };
    });

    const settled = (row) => ['Done', 'Failed', 'Skipped'].includes(row?.result);
    const lost = ids.filter((id) => !settled(rows[id]));
    const wrong = [];
    for (const id of ids) {
      const row = rows[id];
      if (!row) continue;
      const now = afterState[id];
      // No row says other than Azure: the read-back shown is the fake's state now.
      const agrees = row.read === '' || row.read === now.label;
      let right;
      if (readOnly.includes(id)) {
        // Never done: refused in ARM's words, found read-only on re-reading, or left out of
        // the plan; and untouched.
        const refused = row.result === 'Failed' && ['409 ReadOnlyDisabledSubscription', 'subscription not writable'].includes(row.problem);
        const leftOut = row.result === 'Skipped' && /^Skipped \(subscription not writable\)/.test(plan[id].skip);
        right = (refused || leftOut) && same(now, before[id]);
      } else if (plan[id].skip) {
        // Left out (no permission, already on): untouched.
        right = row.result === 'Skipped' && same(now, before[id]);
      } else {
        right = row.result === 'Done' && now.fullyOn;
      }
      if (!agrees || !right) wrong.push({ id, row, before: before[id].label, after: now.label, plan: plan[id] });
    }

    // A write sent to a subscription after its row showed Done, or sent again after ARM's
    // answer to the same write reached the page; resent after a lost answer (harmless, counted);
    // sent after ARM said the subscription is read-only.
    let [afterDone, resent, resentAfterLost, afterReadOnly] = [0, 0, 0, 0];
    const acknowledged = new Set();
    const answerLost = new Set();
    const refused = new Set();
    const putsTo = {};
    runLog.forEach((sent, i) => {
      if (sent.method !== 'PUT') return;
      const id = sent.subscription;
      putsTo[id] = (putsTo[id] ?? 0) + 1;
      const done = id in doneAt && runStart + i >= doneAt[id];
      afterDone += done;
      resent += acknowledged.has(sent.path);
      resentAfterLost += !done && answerLost.has(sent.path);
      afterReadOnly += refused.has(id);
      if (sent.outcome === '200') acknowledged.add(sent.path);
      if (sent.outcome === 'lost') answerLost.add(sent.path);
      if (sent.outcome === '409' && disabledMidRun.includes(id)) refused.add(id);
    });
    const duplicates = runLog.filter((s, i) => s.method === 'PUT' && s.subscription in doneAt && runStart + i >= doneAt[s.subscription]);
    const count = (f) => runLog.filter(f).length;
    const readOnlyRefusals = count((s) => s.method === 'PUT' && s.outcome === '409' && disabledMidRun.includes(s.subscription));
    const expired = count((s) => s.subscription && s.outcome === '401');
    const renewals = count((s) => s.method === 'POST' && s.path.endsWith('/oauth2/v2.0/token') && s.outcome === '200');
    const results = Object.values(rows);
    const [done, failed, skipped] = ['Done', 'Failed', 'Skipped'].map((r) => results.filter((row) => row.result === r).length);
    const maxPuts = Math.max(...Object.values(putsTo));

    console.log(`bulk Fix (+ Plan 1 where off) of ${ids.length} subscriptions in headless Chromium: ${changing.length} planned to change `
      + `(${writes} writes, ${planWrites} of them plans), ${ids.length - changing.length} left out`);
    console.log(`  end: ${done} done, ${failed} failed, ${skipped} skipped ("${summary}"); lost ${lost.length}, wrong ${wrong.length}, `
      + `writes after done ${afterDone}, writes resent after their answer ${resent}, writes resent after a lost answer ${resentAfterLost}, `
      + `writes after a read-only refusal ${afterReadOnly}`);
    console.log(`  run: ${runLog.length} requests (${count((s) => s.method === 'PUT')} PUT to ${Object.keys(putsTo).length} subscriptions, `
      + `at most ${maxPuts} to one), ${failedFirst} failed after the first pass, ${rounds} retry round(s), ${runSeconds.toFixed(1)} s; `
      + `${((Date.now() - started) / 1000).toFixed(1)} s in all`);
    console.log(`  faults injected: ${injected.dropped} dropped, ${injected.lostAnswers} answers lost, ${injected.throttled} throttled (429), `
      + `${injected.serverErrors} server errors (500/503), ${injected.conflicts} conflicts (409), ${readOnlyRefusals} read-only refusals (409), `
      + `${expired} 401s -> ${renewals} renewal(s)`);

    const evidence = await page.evaluate((ids) => {
      const stored = Object.keys(sessionStorage).filter((k) => k.includes('bulk.tenant.'))
        .map((k) => JSON.parse(sessionStorage.getItem(k)).rows).flat();
      return {
        tableRows: document.querySelectorAll('table.run tbody tr').length,
        rows: ids.map((id) => ({
          id,
          shown: [...document.querySelectorAll(`table.run tbody tr[data-subscription="${id}"]`)].map((tr) => tr.outerHTML),
          kept: stored.find((r) => r.subscriptionId.toLowerCase() === id),
        })),
      };
    }, [...new Set([...lost, ...wrong.map((w) => w.id)])]);
    const requestsTo = (id) => fake.log.slice(runStart, runEnd).filter((l) => l.toLowerCase().includes(id));
    const shown = (x) => JSON.stringify({ ...x, log: x.id && requestsTo(x.id) }, null, 1);
    assert.equal(evidence.tableRows, SUBSCRIPTIONS, `one run row per subscription:\n${evidence.rows.map(shown).join('\n')}`);
    assert.deepEqual(lost, [], `lost: no final row\n${evidence.rows.map(shown).join('\n')}`);
    assert.deepEqual(wrong, [], `wrong (row, before, after)\n${evidence.rows.map(shown).join('\n')}`);
    assert.deepEqual(duplicates, [], 'no write is sent to a subscription after its row showed Done');
    assert.equal(resent, 0, 'no write is sent again after ARM answered it');
    assert.equal(afterReadOnly, 0, 'a read-only refusal is not retried, and Retry re-reads the state first');
    assert.equal(failed, 2, 'only the two disabled mid-run stay failed');
    // Shown failed in ARM's words, with a Retry (it re-reads first, so it sends nothing).
    assert.deepEqual(disabledMidRun.map((id) => [rows[id].result, rows[id].retry]), [['Failed', true], ['Failed', true]]);
    assert.ok(readOnlyRefusals >= 1 && readOnlyRefusals <= 2, `ARM refused the disabled ones: ${readOnlyRefusals}`);
    assert.ok(expired >= 1, 'the access token was refused mid-run');
    assert.ok(renewals >= 1, 'and renewed');
    assert.ok(failedFirst > failed, `some rows needed the Retry: ${failedFirst}`);
    for (const [kind, n] of Object.entries({ dropped: injected.dropped, 'lost answers': injected.lostAnswers,
      429: injected.throttled, '5xx': injected.serverErrors, 409: injected.conflicts })) {
      assert.ok(n > 0, `no ${kind} was injected`);
    }
  } finally {
    await context.close();
    fake.stop();
    await site.close();
    fs.rmSync(file, { force: true });
  }
});
