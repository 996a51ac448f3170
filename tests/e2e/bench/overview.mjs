// The overview in headless Chromium, as a user meets it: the release site signed in against the
// fake Azure server holding a generated tenant, each ARM answer delayed by a fixed latency.
// For each tenant size and latency it loads the overview afresh and measures, from the
// navigation until the summary says every row is loaded:
//   - wall time (the page's own clock: performance.now() counts from the navigation);
//   - main-thread time from the Chrome DevTools Protocol's Performance.getMetrics: TaskDuration
//     (every task), ScriptDuration, LayoutDuration, RecalcStyleDuration;
//   - the ARM requests made (the fake's request log), and the ratio to the ideal time.
// The ideal: the subscriptions list first, then every other request in parallel as far as
// Chromium allows: (1 + ceil((requests - 1) / C)) x latency, where C = min(the app's
// concurrency, 6) over HTTP/1.1 (Chromium opens at most 6 connections per origin; the fake is
// served over http://, so HTTP/1.1), or the app's concurrency over HTTP/2 (as ARM serves).
// CORS preflights are left out: the fake answers them at once.
//
// Chromium is driven over a bare DevTools pipe (chromium.mjs): Playwright's instrumentation
// costs about a millisecond of main thread per request, more than the app.
//
// Usage: node tests/e2e/bench/overview.mjs [--subscriptions 500,2000] [--latency-ms 0,100] [--cpu-time]
//   (generator sizes: 500 -> 450 subscriptions in the signed-in tenant, 2000 -> 1,800). Not a
//   *.test.mjs: the test suite does not run it; `make bench` does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveSite, startFakeAzure } from '../harness.mjs';
import {
  CONNECTIONS_PER_ORIGIN, armRequests, chromiumVersion, configFor, fakeBin, metrics, openChromium, signIn, spentBetween,
} from './chromium.mjs';

const CONCURRENCY = 8; // config.json's default
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return (i > 0 ? process.argv[i + 1] : fallback).split(',').map(Number);
};
const sizes = arg('--subscriptions', '500,2000');
const latencies = arg('--latency-ms', '0,100');
// timeTicks (the default): tasks' wall time; threadTicks: the main thread's CPU time, which a
// busy machine does not inflate.
const timeDomain = process.argv.includes('--cpu-time') ? 'threadTicks' : 'timeTicks';

// Records, in the page, when the summary first says that every row is loaded: "N subscriptions:
// a On, b Partial, c On — no plan, d Off" with nothing after it.
const WATCH = `(${() => {
  const complete = /^\d+ subscriptions: \d+ On, \d+ Partial, \d+ On — no plan, \d+ Off$/;
  const look = setInterval(() => {
    const summary = document.querySelector('.summary');
    if (!summary) return;
    clearInterval(look);
    const check = () => {
      if (window.__complete === undefined && complete.test(summary.textContent.trim())) {
        window.__complete = performance.now();
      }
    };
    new MutationObserver(check).observe(summary, { subtree: true, childList: true, characterData: true });
    check();
  }, 20);
}})()`;

/** In the page: `count` GETs of the tenant's subscriptions, settings and permissions. */
const bareFetches = async (arm, count, inFlight) => {
  const key = Object.keys(sessionStorage).find((k) => k.startsWith('mde.tokens.'));
  const headers = { Authorization: `Bearer ${JSON.parse(sessionStorage.getItem(key)).access_token}` };
  const list = await (await fetch(`${arm}/subscriptions?api-version=2022-12-01`, { headers })).json();
  const ids = list.value.map((s) => s.subscriptionId);
  const urls = Array.from({ length: count - 1 }, (_, i) => `${arm}/subscriptions/${ids[(i >> 1) % ids.length]}/providers/${
    i % 2 ? 'Microsoft.Authorization/permissions?api-version=2022-04-01' : 'Microsoft.Security/settings?api-version=2022-05-01'}`);
  const worker = async () => {
    for (let url; (url = urls.pop());) await (await fetch(url, { headers, credentials: 'omit' })).arrayBuffer();
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
};

/** In the page: the same requests through the app's network worker (public/network-worker.js),
 *  as a shared worker (as the app starts it), `inFlight` at a time, the page only posting
 *  calls and receiving answers. */
const workerFetches = async (arm, count, inFlight) => {
  const key = Object.keys(sessionStorage).find((k) => k.startsWith('mde.tokens.'));
  const headers = [['Authorization', `Bearer ${JSON.parse(sessionStorage.getItem(key)).access_token}`]];
  const list = await (await fetch(`${arm}/subscriptions?api-version=2022-12-01`, { headers })).json();
  const ids = list.value.map((s) => s.subscriptionId);
  const urls = Array.from({ length: count - 1 }, (_, i) => `${arm}/subscriptions/${ids[(i >> 1) % ids.length]}/providers/${
    i % 2 ? 'Microsoft.Authorization/permissions?api-version=2022-04-01' : 'Microsoft.Security/settings?api-version=2022-05-01'}`);
  // A name of its own: a worker apart from the app's.
  const { port } = new SharedWorker(new URL('network-worker.js', document.baseURI), 'mde-bench-floor');
  port.postMessage({ origins: [arm] });
  let next = 0;
  const send = (n) => {
    const calls = urls.splice(0, n).map((url) => ({ id: next++, method: 'GET', url, headers, body: '', timeoutMs: 30000 }));
    if (calls.length) port.postMessage({ calls: JSON.stringify(calls) });
  };
  await new Promise((done) => {
    let answered = 0;
    port.onmessage = ({ data }) => {
      answered += data.length;
      send(data.length);
      if (answered === count - 1) done();
    };
    send(inFlight);
  });
  port.close();
};

async function run(site, overrides, subscriptions, latency) {
  const scenario = path.join(os.tmpdir(), `mde-bench-${subscriptions}.json`);
  fs.writeFileSync(scenario, execFileSync(fakeBin,
    ['generate', '--subscriptions', String(subscriptions), '--machines', '2000', '--seed', '7'], { maxBuffer: 1 << 30 }));
  const fake = await startFakeAzure(['--scenario', scenario, '--app-origin', site.origin, '--auto-approve', '--latency-ms', String(latency)]);
  overrides['/config.json'] = configFor(fake);
  const chromium = await openChromium();
  const { page, value, until } = chromium;
  try {
    await page('Page.enable');
    await page('Page.addScriptToEvaluateOnNewDocument', { source: WATCH });
    // Sign in (the fake approves at once); the first rows mean the site is in the cache.
    await signIn(chromium, site.origin);
    const overview = await value('location.href');
    // Leave, and let the fake answer what that load still had in flight.
    await page('Page.navigate', { url: 'about:blank' });
    await new Promise((ok) => setTimeout(ok, 2 * latency + 500));

    await page('Performance.enable', { timeDomain });
    const before = await metrics(page);
    const logged = fake.log.length;
    await page('Page.navigate', { url: overview });
    await until('window.__complete !== undefined', 900_000, 'the complete summary');
    const requests = armRequests(fake.log.slice(logged));
    const after = await metrics(page);
    const wall = await value('window.__complete');
    const rows = Number(await value(`document.querySelector('.summary').textContent.match(/^\\d+/)[0]`));
    const spent = spentBetween(before, after);
    // Chromium's own cost of as many requests, without the app: bare fetch() calls of the same
    // kinds of request, 8 in flight, with the session's token (at 0 ms latency only: it is the
    // same at any latency, and takes as long as the load).
    let floor;
    let workerFloor;
    if (latency === 0) {
      let start = await metrics(page);
      await value(`(${bareFetches})(${JSON.stringify(fake.origin)}, ${requests}, ${CONCURRENCY})`);
      floor = (await metrics(page)).TaskDuration - start.TaskDuration;
      start = await metrics(page);
      await value(`(${workerFetches})(${JSON.stringify(fake.origin)}, ${requests}, ${CONCURRENCY})`);
      workerFloor = (await metrics(page)).TaskDuration - start.TaskDuration;
    }
    // http:// means HTTP/1.1 (browsers speak HTTP/2 over TLS only): at most 6 connections.
    const protocol = fake.origin.startsWith('https:')
      ? await value(`performance.getEntriesByType('resource').find((e) => e.name.startsWith(${JSON.stringify(fake.origin)}))?.nextHopProtocol`)
      : 'http/1.1';
    const parallel = protocol === 'h2' ? CONCURRENCY : Math.min(CONCURRENCY, CONNECTIONS_PER_ORIGIN);
    const ideal = (1 + Math.ceil((requests - 1) / parallel)) * latency;
    return { subscriptions: rows, latency, requests, wall, ...spent, floor, workerFloor, ideal, protocol, parallel };
  } finally {
    await chromium.close();
    fake.stop();
  }
}

const overrides = {};
const site = await serveSite(overrides);
const results = [];
try {
  for (const size of sizes) for (const latency of latencies) {
    const r = await run(site, overrides, size, latency);
    results.push(r);
    process.stderr.write(`  ${r.subscriptions} subscriptions at ${latency} ms: ${(r.wall / 1000).toFixed(1)} s\n`);
  }
} finally {
  await site.close();
}

const s = (seconds) => `${seconds.toFixed(2)} s`;
const version = chromiumVersion();
console.log(`overview in headless ${version}, app concurrency ${CONCURRENCY}; ` +
  'ideal = (1 + ceil((requests - 1) / in flight)) x latency');
console.log(`main thread: Performance.getMetrics in the ${timeDomain} time domain; bare fetch: the main thread of ` +
  'as many bare fetch() calls from a script (what Chromium costs without the app); in a worker: the same calls ' +
  'through the app\'s network worker (shared), the page only posting and receiving them');
console.log('| subscriptions | latency | protocol, in flight | requests | wall | main thread | script | layout | style | bare fetch | in a worker | ideal | ratio |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const ratio = r.ideal > 0 ? (r.wall / r.ideal).toFixed(2) : '–';
  console.log(`| ${r.subscriptions} | ${r.latency} ms | ${r.protocol}, ${r.parallel} | ${r.requests} | ${s(r.wall / 1000)} | ` +
    `${s(r.TaskDuration)} | ${s(r.ScriptDuration)} | ${s(r.LayoutDuration)} | ${s(r.RecalcStyleDuration)} | ` +
    `${r.floor === undefined ? '–' : s(r.floor)} | ${r.workerFloor === undefined ? '–' : s(r.workerFloor)} | ${r.ideal ? s(r.ideal / 1000) : '–'} | ${ratio} |`);
}
