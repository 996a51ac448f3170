// The harness's watch can fail a test: a page, a dedicated worker or a shared worker that logs a
// console error, throws, or breaks the page's Content Security Policy (Trusted Types included)
// is reported by its check, and so is a problem a test declared and did not meet; a page opened
// outside the harness is refused. Each case runs the check itself (the teardown `watchedPage`
// registers with a stand-in for the test's context) and expects it to throw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, watchedPage, pageOwner } from './harness.mjs';

/** A page under `policy` that does what its address's fragment names (see SCRIPT). */
const selfTestPage = (policy) => `<!doctype html>
<meta http-equiv="Content-Security-Policy" content="${policy}">
<link rel="icon" href="data:,">
<title>harness self-test</title>
<script src="/selftest.js"></script>`;

const SCRIPT = `
const act = {
  clean: () => {},
  console: () => console.error('self-test: a console error'),
  exception: () => setTimeout(() => { throw new Error('self-test: an uncaught exception'); }),
  csp: () => fetch('http://127.0.0.2:9/elsewhere').catch(() => {}),
  'trusted-types': () => { try { document.createElement('div').innerHTML = '<b>markup</b>'; } catch {} },
  alert: () => alert('self-test: injected script ran'),
  worker: () => new Worker('/selftest-worker.js'),
  'shared-worker': () => new SharedWorker('/selftest-worker.js'),
  'missing-file': () => fetch('/nothing-here.txt'),
};
act[location.hash.slice(1)]();
`;

/** The worker (under a CSP of its own, from its header) logs an error, breaks its CSP and throws. */
const WORKER = `
console.error('self-test: a worker console error');
fetch('http://127.0.0.2:9/from-a-worker').catch(() => {});
setTimeout(() => { throw new Error('self-test: a worker exception'); }, 100);
`;

/** The files above, each with its type and headers; anything else is a 404. */
const FILES = {
  '/selftest.html': ['text/html', selfTestPage("default-src 'self'; img-src data:")],
  // Trusted Types refuse a worker's plain script URL: the Trusted Types case has a page of its own.
  '/selftest-tt.html': ['text/html', selfTestPage("default-src 'self'; img-src data:; require-trusted-types-for 'script'")],
  '/selftest.js': ['text/javascript', SCRIPT],
  '/selftest-worker.js': ['text/javascript', WORKER, { 'Content-Security-Policy': "connect-src 'self'" }],
};

let browser, server, origin;
before(async () => {
  browser = await launch();
  server = http.createServer((req, res) => {
    const [type, body, headers] = FILES[new URL(req.url, 'http://x').pathname] ?? [];
    if (!body) { res.writeHead(404); return res.end('not found'); }
    res.writeHead(200, { 'Content-Type': type, ...headers });
    return res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(async () => { await browser?.close(); server?.close(); });

/** Opens the self-test page doing `action`; waits until the watch has recorded a problem that
 * matches `until` (if given). */
async function run(action, { sharedWorkers = false, until, expect = [] } = {}) {
  // The check is run here, by the case, not by node:test at the end of the test.
  const t = pageOwner();
  const { page, watch, expectProblem } = await watchedPage(t, browser, {}, { sharedWorkers });
  for (const [pattern, why] of expect) expectProblem(pattern, why);
  const file = action === 'trusted-types' ? 'selftest-tt.html' : 'selftest.html';
  await page.goto(`${origin}/${file}#${action}`);
  if (until) await watch.waitFor(until);
  return { t, watch };
}

test('a clean page passes the check', async () => {
  const { t } = await run('clean');
  await t.teardown();
});

for (const [action, reported] of [
  ['console', /unexpected console\.error: self-test: a console error/],
  ['exception', /unexpected exception: Error: self-test: an uncaught exception/],
  ['csp', /unexpected csp: connect-src blocked http:\/\/127\.0\.0\.2:9\/elsewhere/],
  ['trusted-types', /unexpected csp: require-trusted-types-for blocked trusted-types-sink/],
  ['alert', /unexpected dialog: alert "self-test: injected script ran"/],
  ['missing-file', /unexpected console\.error: Failed to load resource: the server responded with a status of 404/],
]) {
  test(`the check reports a page's ${action}`, async () => {
    const { t } = await run(action, { until: new RegExp(reported.source.replace(/^unexpected /, '')) });
    await assert.rejects(t.teardown(), reported);
  });
}

test("the check reports a dedicated worker's console error, CSP violation and exception", async () => {
  const { t } = await run('worker', { until: /worker exception/ });
  await assert.rejects(t.teardown(), (e) => {
    assert.match(e.message, /unexpected console\.error: self-test: a worker console error/);
    assert.match(e.message, /unexpected csp: Connecting to 'http:\/\/127\.0\.0\.2:9\/from-a-worker' violates .*\(in worker /);
    assert.match(e.message, /unexpected exception: .*self-test: a worker exception/);
    return true;
  });
});

test("the check reports a shared worker's console error, CSP violation and exception (through DevTools)", async () => {
  const { t } = await run('shared-worker', { sharedWorkers: true, until: /worker exception/ });
  await assert.rejects(t.teardown(), (e) => {
    assert.match(e.message, /unexpected console\.error: self-test: a worker console error\s+\(in shared_worker /);
    assert.match(e.message, /unexpected csp: Connecting to 'http:\/\/127\.0\.0\.2:9\/from-a-worker' violates .*\(in shared_worker /);
    assert.match(e.message, /unexpected exception: .*self-test: a worker exception/);
    return true;
  });
});

test('a declared problem that occurs passes; one that does not occur fails the check', async () => {
  const met = await run('console', { until: /a console error/, expect: [[/self-test: a console error/, 'the page logs it on purpose']] });
  await met.t.teardown();

  const unmet = await run('clean', { expect: [[/self-test: a console error/, 'the page was to log it']] });
  await assert.rejects(unmet.t.teardown(), /expected but not met: \/self-test: a console error\/ \(the page was to log it\)/);

  // A declaration covers what it matches and nothing else.
  const other = await run('console', { until: /a console error/, expect: [[/a different error/, 'another one']] });
  await assert.rejects(other.t.teardown(), (e) => /unexpected console\.error: self-test/.test(e.message)
    && /expected but not met: \/a different error\//.test(e.message));
});

test('a page opened outside the harness is refused', async () => {
  await assert.rejects(async () => browser.newContext(), /opens a page the harness does not watch/);
  await assert.rejects(async () => browser.newPage(), /opens a page the harness does not watch/);
});
