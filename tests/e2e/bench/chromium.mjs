// What the benchmarks in headless Chromium share: Chromium driven over a bare DevTools pipe
// with only the Page, Runtime and Performance domains (Playwright's instrumentation, the Network
// domain recording every request with its initiator's stack, costs about a millisecond of main
// thread per request, more than the app), sign-in against the fake, and the main-thread metrics.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { root } from '../harness.mjs';

export const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
export const CONNECTIONS_PER_ORIGIN = 6; // Chromium, HTTP/1.1
export const fakeBin = path.join(root, 'target/debug/fake-azure');
if (!fs.existsSync(fakeBin)) throw new Error('build the fake first: cargo build -p fake-azure --bin fake-azure');

/** The site's config.json for a fake Azure server, with `extra` keys (e.g. concurrency). */
export const configFor = (fake, extra = {}) => JSON.stringify({
  clientId: CLIENT_ID,
  cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  ...extra,
});

/** Headless Chromium and one page, driven over --remote-debugging-pipe. */
export async function openChromium() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-bench-chromium-'));
  const child = spawn('/usr/bin/chromium', [
    '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, '--no-sandbox', '--disable-gpu',
    '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--window-size=1280,900', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  let next = 0;
  let buffered = '';
  const waiting = new Map();
  child.stdio[4].on('data', (chunk) => {
    buffered += chunk;
    for (let end; (end = buffered.indexOf('\0')) >= 0; buffered = buffered.slice(end + 1)) {
      const message = JSON.parse(buffered.slice(0, end));
      const call = waiting.get(message.id);
      if (!call) continue;
      waiting.delete(message.id);
      if (message.error) call.fail(new Error(`${call.method}: ${message.error.message}`));
      else call.ok(message.result);
    }
  });
  const send = (method, params = {}, sessionId = undefined) => new Promise((ok, fail) => {
    const id = ++next;
    waiting.set(id, { ok, fail, method });
    child.stdio[3].write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
  });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params) => send(method, params, sessionId);
  const value = async (expression) =>
    (await page('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })).result.value;
  const until = async (expression, timeoutMs, what) => {
    for (const start = Date.now(); Date.now() - start < timeoutMs; await new Promise((ok) => setTimeout(ok, 250))) {
      if (await value(expression).catch(() => false)) return;
    }
    throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
  };
  const close = async () => {
    await new Promise((ok) => { child.once('exit', ok); child.kill(); });
    // Chromium's helper processes may still be writing their last files: a retry later.
    setTimeout(() => fs.rm(profile, { recursive: true, force: true, maxRetries: 5 }, () => {}), 1000);
  };
  return { page, value, until, close };
}

/** Signs in at `siteOrigin` (the fake approves at once); resolves once the overview shows rows. */
export async function signIn({ page, value, until }, siteOrigin) {
  await page('Page.navigate', { url: `${siteOrigin}/` });
  const button = `[...document.querySelectorAll('button')].find((b) => b.textContent === 'Sign in with Microsoft')`;
  await until(button, 30_000, 'the sign-in button');
  await value(`${button}.click()`);
  await until(`location.pathname.startsWith('/tenants/') && /subscriptions:/.test(document.querySelector('.summary')?.textContent)`,
    120_000, 'the first rows');
}

export const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];

export async function metrics(page) {
  const { metrics } = await page('Performance.getMetrics');
  return Object.fromEntries(metrics.filter((m) => METRICS.includes(m.name)).map((m) => [m.name, m.value]));
}

/** Main-thread seconds between two `metrics()`: a navigation to a new renderer process starts its counters at zero. */
export const spentBetween = (before, after) =>
  Object.fromEntries(METRICS.map((m) => [m, after[m] >= before[m] ? after[m] - before[m] : after[m]]));

/** ARM requests in the fake's log (one line per answer; preflights say so). */
export const armRequests = (log) => log.filter((line) => !line.includes('-> preflight')).length;

export const chromiumVersion = () =>
  execFileSync('/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
