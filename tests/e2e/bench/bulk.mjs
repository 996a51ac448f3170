// The bulk run in headless Chromium, as a user meets it: the release site signed in against the
// fake Azure server holding a generated tenant of N subscriptions (all in the signed-in tenant),
// each ARM answer delayed by a fixed latency, config.json's concurrency 8. Once the overview has
// loaded, "All Partial", "Plan a change for N →", Fix (the default), then Apply; measured from
// the click on Apply until the run's summary says "0 waiting" with nothing running:
//   - wall time (the page's own clock);
//   - main-thread time from Performance.getMetrics (as overview.mjs);
//   - the ARM requests by method (the fake's request log; preflights apart);
//   - the ratio to the ideal: each changing subscription is a chain of round trips, its writes
//     in order then one read-back (settings and pricings sent together), C chains at once:
//       ideal = ceil(changing / C) x (mean writes + 1) x latency,
//     with C = min(8, 6) over HTTP/1.1 (Chromium's 6 connections per origin; the fake is
//     http://) and C = 8 as over HTTP/2 (ARM); and the critical path of the same chains taken
//     in the plan's order by C workers, exact when subscriptions differ in writes.
// To explain a ratio it also prints the floor of its requests on 6 connections and what the
// app's schedule costs on them (a request-level model), and, from the page's Resource Timing,
// how long requests waited beyond the latency, how many fetches were outstanding, how many
// subscriptions were under way, and the page's own turnaround.
//
// Usage: node tests/e2e/bench/bulk.mjs [--subscriptions 200] [--latency-ms 100] [--cpu-time]
//   Not a *.test.mjs: the test suite does not run it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveSite, startFakeAzure } from '../harness.mjs';
import {
  CONNECTIONS_PER_ORIGIN, chromiumVersion, configFor, fakeBin, metrics, openChromium, signIn, spentBetween,
} from './chromium.mjs';

const CONCURRENCY = 8;
const GOAL = 1.3;
const BUDGET = 1.5;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return Number(i > 0 ? process.argv[i + 1] : fallback);
};
const size = arg('--subscriptions', 200);
const latency = arg('--latency-ms', 100);
const timeDomain = process.argv.includes('--cpu-time') ? 'threadTicks' : 'timeTicks';

/** The generator's tenant with every subscription moved into the signed-in (first) tenant. */
function scenarioFile() {
  const generated = JSON.parse(execFileSync(fakeBin,
    ['generate', '--subscriptions', String(size), '--machines', '0', '--seed', '7'], { maxBuffer: 1 << 30 }));
  const home = generated.tenants[0].tenantId;
  for (const entry of generated.subscriptions) entry.subscription.tenantId = home;
  const file = path.join(os.tmpdir(), `mde-bench-bulk-${size}.json`);
  fs.writeFileSync(file, JSON.stringify(generated));
  return file;
}

const OVERVIEW_COMPLETE = /^\d+ subscriptions: \d+ On, \d+ Partial, \d+ On — no plan, \d+ Off$/;
const buttonNamed = (pattern) =>
  `[...document.querySelectorAll('button, a')].find((b) => ${pattern}.test(b.textContent.trim()))`;

// In the page, right before the click on Apply: every response from the fake (Resource Timing,
// through an observer: the overview has long filled the buffer), and when the summary first
// reads "0 waiting" (waiting and running together) with nothing after it.
const WATCH_RUN = (armOrigin) => `(${(origin) => {
  const run = { requests: [] };
  window.__run = run;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name.startsWith(origin)) run.requests.push({ url: e.name, start: e.startTime, end: e.responseEnd });
    }
  }).observe({ type: 'resource' });
  const settled = new MutationObserver(() => {
    const summary = document.querySelector('.run-progress .summary');
    if (summary && / · 0 waiting$/.test(summary.textContent.trim())) {
      run.done = performance.now();
      run.summary = summary.textContent.trim();
      settled.disconnect();
    }
  });
  settled.observe(document.body, { subtree: true, childList: true, characterData: true });
}})(${JSON.stringify(armOrigin)})`;

/** C workers take chains from a queue in order; each chain is its round trips x latency. */
function criticalPath(chains, workers) {
  const free = Array(workers).fill(0);
  for (const trips of chains) {
    const i = free.indexOf(Math.min(...free));
    free[i] += trips * latency;
  }
  return Math.max(0, ...free);
}

/**
 * The app's schedule at request level: `workers` subscriptions at once, each its writes one
 * after another then its two read-back GETs together; every request holds one of `connections`
 * for the latency, granted first come first served (as Chromium's socket pool). CORS preflights
 * are left out: the fake answers them at once.
 */
function schedule(chains, workers, connections, readBacks) {
  const timers = []; // [when, what], run in time order (ties in the order set)
  const waiting = []; // requests waiting for a connection: what follows each one's answer
  let [free, now, end] = [connections, 0, 0];
  const send = (then) => waiting.push(then);
  const queue = [...chains];
  const next = () => {
    let left = queue.shift();
    if (left === undefined) return;
    const step = () => {
      if (left-- > 0) return send(step);
      let reads = readBacks;
      const read = () => {
        if (--reads > 0) return;
        end = now;
        next();
      };
      for (let i = 0; i < readBacks; i++) send(read); // settings (and pricings, when written)
    };
    step();
  };
  for (let i = 0; i < workers; i++) next();
  for (;;) {
    for (; free > 0 && waiting.length; free--) {
      const then = waiting.shift();
      timers.push([now + latency, () => { free++; then(); }]);
    }
    if (!timers.length) return end;
    timers.sort((x, y) => x[0] - y[0]);
    const [when, what] = timers.shift();
    now = when;
    what();
  }
}

/** Time-weighted mean and maximum of how many [start, end) intervals overlap within [from, to). */
function overlap(intervals, from, to) {
  const edges = intervals.flatMap(([s, e]) => [[Math.max(s, from), 1], [Math.min(e, to), -1]])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let [n, max, area, last] = [0, 0, 0, from];
  for (const [t, d] of edges) {
    area += n * (t - last);
    last = t;
    n += d;
    max = Math.max(max, n);
  }
  return { mean: area / (to - from), max };
}

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
};
const subscriptionOf = (url) => new URL(url).pathname.match(/^\/subscriptions\/([^/]+)/)?.[1]?.toLowerCase();
// A write names the setting or pricing (…/settings/WDATP); a read lists them (…/settings).
const isWrite = (url) => /\/providers\/Microsoft\.Security\/(settings|pricings)\/[^/?]+/i.test(new URL(url).pathname);

async function run(site, overrides) {
  const fake = await startFakeAzure(['--scenario', scenarioFile(), '--app-origin', site.origin, '--auto-approve',
    '--latency-ms', String(latency)]);
  overrides['/config.json'] = configFor(fake, { concurrency: CONCURRENCY });
  const chromium = await openChromium();
  const { page, value, until } = chromium;
  try {
    await page('Page.enable');
    await signIn(chromium, site.origin);
    await until(`${OVERVIEW_COMPLETE}.test(document.querySelector('.summary')?.textContent.trim())`, 900_000,
      'the overview, every row loaded');
    const tenantSize = Number(await value(`document.querySelector('.summary').textContent.match(/^\\d+/)[0]`));
    await value(`${buttonNamed(/^All Partial$/)}.click()`);
    const planLink = buttonNamed(/^Plan a change for \d+ →$/);
    await until(planLink, 10_000, 'the link to the plan');
    const selected = Number(await value(`${planLink}.textContent.match(/\\d+/)[0]`));
    await value(`${planLink}.click()`);
    await until(`[...document.querySelectorAll('h1')].some((h) => h.textContent === 'Change many subscriptions')`, 10_000,
      'the plan');
    const apply = buttonNamed(/^Apply \d+ writes? to \d+ subscriptions?$/);
    await until(apply, 10_000, 'the Apply button');
    // The plan's order is the run's: the changing rows' writes, in the table.
    const chains = await value(`[...document.querySelectorAll('table.plan tbody tr:not(.skipped)')]
      .map((r) => r.querySelectorAll('li').length)`);
    const [, writes, changing] = (await value(`${apply}.textContent`)).match(/^Apply (\d+) writes? to (\d+)/).map(Number);
    if (!changing) throw new Error('the plan changes nothing: no Partial subscription can be fixed in this tenant');
    if (chains.length !== changing || chains.reduce((a, b) => a + b, 0) !== writes) {
      throw new Error(`the plan table (${chains.length} rows) does not match the Apply button (${writes} to ${changing})`);
    }

    await value(WATCH_RUN(fake.origin));
    await page('Performance.enable', { timeDomain });
    const before = await metrics(page);
    const logged = fake.log.length;
    const clicked = await value(`(() => { const t = performance.now(); ${apply}.click(); return t; })()`);
    await until('window.__run.done !== undefined', 900_000, 'the run to settle');
    const after = await metrics(page);
    const { done, summary, requests } = await value('window.__run');
    // The fake logs an answer once it is sent: a moment for the last lines.
    await new Promise((ok) => setTimeout(ok, 200));
    const byMethod = {};
    for (const line of fake.log.slice(logged)) {
      const method = line.includes('-> preflight') ? 'OPTIONS (preflight)' : line.split(' ')[0];
      byMethod[method] = (byMethod[method] ?? 0) + 1;
    }
    return {
      tenantSize, selected, changing, writes, chains, summary, byMethod, clicked, done,
      wall: done - clicked, requests: requests.filter((q) => q.start >= clicked), spent: spentBetween(before, after),
    };
  } finally {
    await chromium.close();
    fake.stop();
  }
}

const overrides = {};
const site = await serveSite(overrides);
let r;
try {
  r = await run(site, overrides);
} finally {
  await site.close();
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ratio) => (ratio <= GOAL ? 'within the goal' : ratio <= BUDGET ? 'within the budget' : 'OVER the budget');
const meanWrites = r.writes / r.changing;
const ideal = (c) => Math.ceil(r.changing / c) * (meanWrites + 1) * latency;
const http1 = Math.min(CONCURRENCY, CONNECTIONS_PER_ORIGIN);
const trips = r.chains.map((w) => w + 1);
const row = (what, ms) => console.log(`| ${what} | ${s(ms)} | ${(r.wall / ms).toFixed(2)} (${verdict(r.wall / ms)}) |`);

console.log(`bulk Fix in headless ${chromiumVersion()}; app concurrency ${CONCURRENCY}, latency ${latency} ms; ` +
  'the fake is http://, so HTTP/1.1: Chromium opens at most 6 connections to it');
console.log(`tenant: ${r.tenantSize} subscriptions; All Partial selected ${r.selected}; Fix changes ${r.changing} ` +
  `with ${r.writes} writes (${Math.min(...r.chains)}..${Math.max(...r.chains)} each, mean ${meanWrites.toFixed(2)})`);
console.log(`settled: "${r.summary}"`);
console.log(`wall ${s(r.wall)} (click on Apply to "0 waiting"); main thread (${timeDomain}) ` +
  `${r.spent.TaskDuration.toFixed(2)} s: script ${r.spent.ScriptDuration.toFixed(2)} s, ` +
  `layout ${r.spent.LayoutDuration.toFixed(2)} s, style ${r.spent.RecalcStyleDuration.toFixed(2)} s`);
console.log(`requests (the fake's log): ${Object.entries(r.byMethod).map(([m, n]) => `${m} ${n}`).join(', ')}`);
console.log('');
console.log(`| measured ${s(r.wall)} against | time | ratio (goal ${GOAL}, budget ${BUDGET}) |`);
console.log('|---|---|---|');
row(`ideal, HTTP/1.1 (C = min(${CONCURRENCY}, ${CONNECTIONS_PER_ORIGIN})): ceil(${r.changing}/${http1}) x ` +
  `(${meanWrites.toFixed(2)} + 1) x ${latency} ms`, ideal(http1));
row(`ideal, as over HTTP/2 (C = ${CONCURRENCY}): ceil(${r.changing}/${CONCURRENCY}) x (${meanWrites.toFixed(2)} + 1) x ` +
  `${latency} ms`, ideal(CONCURRENCY));
row(`critical path, ${http1} chains at once (HTTP/1.1)`, criticalPath(trips, http1));
row(`critical path, ${CONCURRENCY} chains at once (as over HTTP/2)`, criticalPath(trips, CONCURRENCY));
// The requests the run sent (the fake's log), and the read-back GETs per subscription they imply.
const requested = (r.byMethod.PUT ?? 0) + (r.byMethod.GET ?? 0);
const readBacks = Math.max(1, Math.round((r.byMethod.GET ?? 0) / r.changing));
row(`HTTP/1.1 floor: ceil(${requested} requests / ${CONNECTIONS_PER_ORIGIN} connections) x ${latency} ms`,
  Math.ceil(requested / CONNECTIONS_PER_ORIGIN) * latency);
row(`the app's schedule: ${CONCURRENCY} subscriptions on ${CONNECTIONS_PER_ORIGIN} connections (model)`,
  schedule(r.chains, CONCURRENCY, CONNECTIONS_PER_ORIGIN, readBacks));

// Where the time went, from the page's Resource Timing (the fake sends no Timing-Allow-Origin,
// so only when fetch() was called and when its answer ended).
const reqs = r.requests.filter((q) => subscriptionOf(q.url));
const waited = (list) => list.map((q) => q.end - q.start - latency);
const [writesSent, reads] = [reqs.filter((q) => isWrite(q.url)), reqs.filter((q) => !isWrite(q.url))];
const perSubscription = new Map();
for (const q of reqs) perSubscription.set(subscriptionOf(q.url), [...(perSubscription.get(subscriptionOf(q.url)) ?? []), q]);
const spans = [...perSubscription.values()].map((list) =>
  [Math.min(...list.map((q) => q.start)), Math.max(...list.map((q) => q.end))]);
// The page's turnaround: from an answer to the same subscription's next request (the next write,
// or the read-back after the last write).
const turnaround = [...perSubscription.values()].flatMap((list) => list.flatMap((q) => {
  const later = list.filter((n) => n.start >= q.end).map((n) => n.start);
  return later.length ? [Math.min(...later) - q.end] : [];
}));
const inFlight = overlap(reqs.map((q) => [q.start, q.end]), r.clicked, r.done);
const underWay = overlap(spans, r.clicked, r.done);
const first = Math.min(...reqs.map((q) => q.start));
const last = Math.max(...reqs.map((q) => q.end));
const describe = (list) => `median ${quantile(waited(list), 0.5).toFixed(0)} ms, ` +
  `p90 ${quantile(waited(list), 0.9).toFixed(0)} ms, max ${Math.max(0, ...waited(list)).toFixed(0)} ms`;
console.log('');
console.log(`where the time went (the page's Resource Timing, ${reqs.length} requests):`);
console.log(`  click -> first request ${(first - r.clicked).toFixed(0)} ms; last answer -> "0 waiting" ` +
  `${(r.done - last).toFixed(0)} ms`);
console.log(`  an answer -> the same subscription's next request: median ${quantile(turnaround, 0.5).toFixed(0)} ms, ` +
  `p90 ${quantile(turnaround, 0.9).toFixed(0)} ms (${turnaround.length} hops)`);
console.log(`  fetches outstanding (on the wire or queued for a connection): mean ${inFlight.mean.toFixed(2)}, ` +
  `max ${inFlight.max}; subscriptions under way: ` +
  `mean ${underWay.mean.toFixed(2)}, max ${underWay.max}`);
console.log(`  time beyond the latency: writes (${writesSent.length}) ${describe(writesSent)}; ` +
  `read-back GETs (${reads.length}) ${describe(reads)}`);
