// Test harness: serves the built site (dist/) on loopback, starts the fake Azure server,
// launches Debian's headless Chromium, and watches every page a test opens: at the end of the
// test it fails on any console error, uncaught exception, CSP violation or dialog that the test
// did not declare with `expectProblem` (see `Watch`).
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
// E2E_DIST: another build's folder (trunk build --dist DIR), so that parallel work can test its own.
export const dist = process.env.E2E_DIST ? path.resolve(process.env.E2E_DIST) : path.join(root, 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

/** The origins of the fake Azure servers this test process started. */
const fakeOrigins = new Set();

/**
 * The built index.html with the fakes' origins added to its CSP's connect-src: the shipped
 * file allows no loopback origin, so only the served copy lets the test's app reach its fake.
 */
export function indexForTests() {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const extra = [...fakeOrigins].join(' ');
  if (!extra) return html;
  const policy = /(<meta http-equiv="Content-Security-Policy" content="[^"]*?connect-src [^;"]*)/;
  if (!policy.test(html)) throw new Error('dist/index.html has no connect-src in its CSP');
  return html.replace(policy, (_, head) => `${head} ${extra}`);
}

/**
 * dist/sw.js for a site that serves `served` (a path below the site's folder -> the body it
 * serves) in place of the build's files: the worker keeps only the bytes its list names, and
 * refuses to install (an exception) when a file differs, so the list names the served bytes,
 * as a build of those files would (scripts/service-worker.py), and the build's hash changes.
 */
export function workerForTests(served) {
  let worker = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
  for (const [file, body] of Object.entries(served)) {
    const entry = `[${JSON.stringify(file)}, "`;
    const at = worker.indexOf(entry);
    if (at < 0 || typeof body !== 'string') continue; // not precached, or off the site
    const sha256 = crypto.createHash('sha256').update(body).digest('hex');
    worker = worker.slice(0, at + entry.length) + sha256 + worker.slice(at + entry.length + 64);
  }
  const build = crypto.createHash('sha256').update(worker).digest('hex').slice(0, 16);
  return worker.replace(/^const BUILD = '[0-9a-f]{16}';$/m, `const BUILD = '${build}';`);
}

/**
 * Serves dist/ like a static host with a SPA fallback; `overrides` maps a path to a body, or
 * to null for a file the host lacks (404). index.html gets the fakes' origins in connect-src,
 * and sw.js the hashes of what is served (`workerForTests`).
 */
export async function serveSite(overrides = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname in overrides) {
      if (overrides[url.pathname] === null) { res.writeHead(404); return res.end('not found'); }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(url.pathname)] ?? 'application/octet-stream' });
      return res.end(overrides[url.pathname]);
    }
    let file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      // Deep links get the app; a missing asset with an extension is a real 404.
      if (path.extname(url.pathname)) { res.writeHead(404); return res.end('not found'); }
      file = path.join(dist, 'index.html');
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    if (file === path.join(dist, 'index.html')) return res.end(indexForTests());
    if (file === path.join(dist, 'sw.js')) {
      const served = Object.fromEntries(Object.entries(overrides).map(([p, body]) => [p.slice(1), body]));
      return res.end(workerForTests({ ...served, 'index.html': indexForTests() }));
    }
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * Starts `fake-azure` on a free loopback port; resolves once it prints where it listens. Its
 * request log (`METHOD /target -> status (delay ms)`, one line per answered or dropped
 * request, written once the answer is sent) collects in `log`.
 */
export async function startFakeAzure(args) {
  const bin = path.join(root, 'target/debug/fake-azure');
  const child = spawn(bin, ['--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  let partial = '';
  child.stderr.on('data', (chunk) => {
    if (process.env.E2E_DEBUG) process.stderr.write(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    log.push(...lines);
  });
  const origin = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`fake-azure exited with ${code}: ${out}`)));
  });
  fakeOrigins.add(origin);
  return { origin, log, stop: () => { fakeOrigins.delete(origin); child.kill(); } };
}

/**
 * Moves the clock of `fake` (started with `--witness`) on by `ms`, as if that time had passed
 * for Entra ID and ARM: tokens expire, an early revocation passes, operations end. The page's
 * own clock is the test's to move (Playwright's `page.clock`).
 */
export async function advanceFakeClock(fake, ms) {
  const answer = await fetch(`${fake.origin}/_witness/clock/advance?ms=${ms}`, { method: 'POST' });
  const text = await answer.text();
  assert.equal(answer.status, 200, `the fake's clock did not move (started without --witness?): ${text}`);
  return JSON.parse(text);
}

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CHROMIUM = { executablePath: '/usr/bin/chromium', headless: true, args: FLAGS };

/** The browsers' own `newContext` and `newPage`, which only the harness may call. */
const unguarded = new WeakMap();

/**
 * Debian's headless Chromium. A test opens its pages through `watchedPage` (or
 * `watchedPersistentPage`), never with `browser.newContext()` or `browser.newPage()`, which
 * throw: a page outside the harness would go unchecked. `{ watched: false }` is for tools that
 * are not tests (tests/e2e/screenshot.mjs); `args` are Chromium's flags beyond the harness's
 * (a `--host-resolver-rules` that gives a loopback host another name).
 */
export async function launch({ watched = true, args = [] } = {}) {
  const browser = await chromium.launch({ ...CHROMIUM, args: [...FLAGS, ...args] });
  if (!watched) return browser;
  unguarded.set(browser, { newContext: browser.newContext.bind(browser) });
  const refuse = (name) => () => {
    throw new Error(`browser.${name}() opens a page the harness does not watch: use watchedPage(t, browser, …) from harness.mjs`);
  };
  browser.newContext = refuse('newContext');
  browser.newPage = refuse('newPage');
  return browser;
}

/**
 * What a test must never meet unless it declares it: a console error (of a page or any of its
 * workers, the browser's own messages included, e.g. "Failed to load resource"), an uncaught
 * exception, a Content Security Policy or Trusted Types violation, a dialog (an `alert()` means
 * injected script ran). Each is recorded as `kind: text`, the kind one of `console.error`,
 * `exception`, `csp` (a `securitypolicyviolation` event, or a console message reporting one)
 * and `dialog`.
 */
export class Watch {
  constructor() {
    /** Every problem met, in order: {kind, text, where, line}. */
    this.problems = [];
    /** The expectations declared since the last check. */
    this.expected = [];
    /** How many of `problems` the last check judged. */
    this.checked = 0;
    /** The `waitFor`s still waiting. */
    this.waiting = new Set();
  }

  record(kind, text, where) {
    this.problems.push({ kind, text, where, line: `${kind}: ${text}` });
    for (const waiter of [...this.waiting]) waiter();
  }

  /**
   * Resolves with the first problem whose `kind: text` matches `pattern` once it has been met
   * (a report reaches the harness a moment after the page acted); rejects after `ms`.
   */
  waitFor(pattern, ms = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(waiter);
        reject(new Error(`the watch met no ${pattern} in ${ms} ms: ${this.problems.map((p) => p.line).join(' | ')}`));
      }, ms);
      const waiter = () => {
        const problem = this.problems.find((p) => pattern.test(p.line));
        if (!problem) return;
        clearTimeout(timer);
        this.waiting.delete(waiter);
        resolve(problem);
      };
      this.waiting.add(waiter);
      waiter();
    });
  }

  /**
   * Declares a problem this test causes on purpose: every problem whose `kind: text` matches
   * `pattern` is allowed, and the check fails unless at least one occurred. `why` says why the
   * test meets it (it shows when the check fails).
   */
  expectProblem(pattern, why) {
    if (!(pattern instanceof RegExp) || !why) throw new Error('expectProblem(/pattern/, "why the test meets it")');
    this.expected.push({ pattern, why });
  }

  /** Of the problems met since the last check: those no expectation covers; and the expectations none met. */
  verdict() {
    const recent = this.problems.slice(this.checked);
    const unexpected = recent.filter((p) => !this.expected.some((e) => e.pattern.test(p.line)));
    const unmet = this.expected.filter((e) => !recent.some((p) => e.pattern.test(p.line)));
    return { unexpected, unmet };
  }

  /**
   * Judges the problems met since the last check against the expectations declared since, and
   * starts afresh: throws an AssertionError that names every unexpected problem and unmet
   * expectation. (A page that several tests share is checked after each of them.)
   */
  check() {
    const { unexpected, unmet } = this.verdict();
    this.checked = this.problems.length;
    this.expected = [];
    if (!unexpected.length && !unmet.length) return;
    const lines = [
      ...unexpected.map((p) => `unexpected ${p.line}${p.where ? `  (in ${p.where})` : ''}`),
      ...unmet.map((e) => `expected but not met: ${e.pattern} (${e.why})`),
    ];
    throw new assert.AssertionError({
      message: `the harness's watch found:\n  ${lines.join('\n  ')}`,
      actual: unexpected.map((p) => p.line),
      expected: [],
      operator: 'watch',
    });
  }
}

/**
 * Stands in for a test's context where a page outlives one test (signed in once in a file's
 * `before`): `watchedPage(owner, …)` leaves its teardown with `owner`, which the file runs in
 * its `after` (`owner.teardown()`); each test answers for what the page met during it with
 * `afterEach(() => watch.check())`.
 */
export function pageOwner() {
  const hooks = [];
  return {
    after: (hook) => hooks.push(hook),
    diagnostic: () => {},
    teardown: async () => { for (const hook of hooks.splice(0)) await hook(); },
  };
}

/** Whether a console message reports a CSP or Trusted Types violation (Chromium's wording). */
const isCspReport = (text) => /Content Security Policy|Trusted ?Type|TrustedHTML|TrustedScript/i.test(text);

/**
 * Watches `context` (`page` is one of its pages) for the problems `Watch` names: in its pages,
 * those opened later too, their dedicated workers, its service workers and, with
 * `sharedWorkers`, its shared workers. At the end of test `t` the context is closed and the
 * watch checked: the test fails on any problem it did not declare with `expectProblem`, or on a
 * declared one that did not occur.
 */
export async function watchContext(t, context, page, { browser, sharedWorkers = false } = {}) {
  const watch = new Watch();
  const where = (m) => m.worker()?.url() ?? m.page()?.url() ?? 'a service worker';
  context.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'assert') {
      watch.record(isCspReport(m.text()) ? 'csp' : 'console.error', m.text(), where(m));
    }
  });
  context.on('weberror', (e) => watch.record('exception', String(e.error()), e.page()?.url()));
  context.on('dialog', (d) => {
    watch.record('dialog', `${d.type()} "${d.message()}"`, d.page()?.url());
    d.dismiss().catch(() => {});
  });
  await context.exposeBinding('__harnessCspViolation', ({ page }, text) => watch.record('csp', text, page?.url()));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__harnessCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  const workers = await watchWorkers(context, page, watch, { browser, sharedWorkers });
  t.after(async () => {
    await context.close().catch(() => {});
    await workers.stop();
    const { unexpected, unmet } = watch.verdict();
    // A test that failed before its teardown reports its own error, not this one: say it here
    // too. E2E_WATCH=1 lists every test's problems, declared or not.
    if (unexpected.length || unmet.length || process.env.E2E_WATCH) {
      t.diagnostic(`the harness's watch: ${watch.problems.map((p) => p.line).join(' | ')}`);
    }
    watch.check();
  });
  return watch;
}

/**
 * What Playwright does not report of a context's workers, read through a DevTools session of
 * the browser: every worker's messages from the browser itself (a CSP violation, a fetch it
 * refused: Playwright reads those for pages only), service workers' uncaught exceptions, and
 * with `sharedWorkers` shared workers' console errors and exceptions too (Playwright does not
 * attach to them at all). The protocol replays a worker's earlier messages when a session
 * enables its domains, so a worker attached late loses nothing. (Chromium logs no failed load
 * of a worker's: an HTTP error a worker's fetch meets is no console error.)
 */
async function watchWorkers(context, page, watch, { browser, sharedWorkers }) {
  const pageSession = await context.newCDPSession(page);
  const { targetInfo } = await pageSession.send('Target.getTargetInfo');
  const ours = targetInfo.browserContextId;
  // A persistent context has no Browser object: its page's session discovers targets too.
  const cdp = browser ? await browser.newBrowserCDPSession() : pageSession;
  if (browser) await pageSession.detach();
  const sessions = new Map(); // sessionId -> {type, url, targetId}
  let id = 0;
  const send = (sessionId, method, params = {}) => cdp.send('Target.sendMessageToTarget', {
    sessionId, message: JSON.stringify({ id: ++id, method, params }),
  }).catch(() => {});
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const target = sessions.get(sessionId);
    if (!target) return;
    const { method, params } = JSON.parse(message);
    const place = `${target.type} ${params?.entry?.url || target.url}`;
    if (method === 'Log.entryAdded' && params.entry.level === 'error') {
      watch.record(isCspReport(params.entry.text) ? 'csp' : 'console.error', params.entry.text, place);
    } else if (method === 'Runtime.exceptionThrown' && target.type !== 'worker') {
      const details = params.exceptionDetails;
      watch.record('exception', details.exception?.description ?? details.text, place);
    } else if (method === 'Runtime.consoleAPICalled' && target.type === 'shared_worker'
      && (params.type === 'error' || params.type === 'assert')) {
      const text = params.args.map((a) => a.value ?? a.description ?? '').join(' ');
      watch.record(isCspReport(text) ? 'csp' : 'console.error', text, place);
    }
  });
  const kinds = new Set(['worker', 'service_worker', ...(sharedWorkers ? ['shared_worker'] : [])]);
  const attach = async (info) => {
    if (info.browserContextId !== ours || !kinds.has(info.type) || [...sessions.values()].some((s) => s.targetId === info.targetId)) return;
    const entry = { type: info.type, url: info.url, targetId: info.targetId };
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: info.targetId, flatten: false }).catch(() => ({}));
    if (!sessionId) return;
    sessions.set(sessionId, entry);
    await send(sessionId, 'Log.enable');
    if (info.type !== 'worker') await send(sessionId, 'Runtime.enable');
  };
  cdp.on('Target.targetCreated', ({ targetInfo: info }) => { attach(info); });
  await cdp.send('Target.setDiscoverTargets', { discover: true });
  return { stop: () => cdp.detach().catch(() => {}) };
}

/**
 * Declares on `watch` the service worker's refusal to install a site that lacks `file`: sw.js
 * keeps every file of a build or none, so its install throws on the first it cannot fetch (in
 * the background, while the test goes on). Returns a wait for it, for the end of the test.
 * (Playwright's `serviceWorkers: 'block'` is no way out: its stub `register()` resolves with no
 * registration, which no browser does.)
 */
export function expectInstallRefused(watch, file) {
  const pattern = new RegExp(`^exception: Error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: HTTP 404`);
  watch.expectProblem(pattern, `${file} is off the site: the service worker refuses to install without it`);
  return () => watch.waitFor(pattern, 30_000);
}

/**
 * A new page in a new browser context (`options` are the context's: a colour scheme, a
 * viewport), watched for the end of test `t` (see `watchContext`). Returns the page, its
 * context, the `watch` and its `expectProblem`.
 *
 * The page has no shared workers, so the app's network worker is a dedicated one, as in a
 * browser without them: Playwright neither sees nor routes a shared worker's requests
 * (microsoft/playwright#36690), and the tests read and rewrite ARM's answers with it.
 * `sharedWorkers: true` keeps them (tests/e2e/network.test.mjs: the app's usual path).
 */
export async function watchedPage(t, browser, options = {}, { sharedWorkers = false } = {}) {
  const newContext = unguarded.get(browser)?.newContext;
  if (!newContext) throw new Error('watchedPage needs a browser from harness.mjs\'s launch()');
  const context = await newContext(options);
  if (!sharedWorkers) await context.addInitScript(() => { delete window.SharedWorker; });
  const page = await context.newPage();
  const watch = await watchContext(t, context, page, { browser, sharedWorkers });
  return { page, context, watch, problems: watch.problems, expectProblem: watch.expectProblem.bind(watch) };
}

/**
 * A browser of its own with a profile on disk in `profile` (Chromium installs no app from an
 * incognito window, which every `newContext` is), its first page watched as `watchedPage`'s are.
 */
export async function watchedPersistentPage(t, profile, options = {}) {
  const context = await chromium.launchPersistentContext(profile, { ...CHROMIUM, ...options });
  const page = context.pages()[0] ?? await context.newPage();
  const watch = await watchContext(t, context, page);
  return { page, context, watch, problems: watch.problems, expectProblem: watch.expectProblem.bind(watch) };
}

/**
 * `error` with what the page showed when it was thrown (its address, the text of its body and
 * `notes`, such as console errors): a wait that timed out in CI then says where the app was.
 */
export async function explained(page, error, notes = []) {
  const text = await page.locator('body').innerText({ timeout: 2_000 }).catch((e) => `(no text: ${e.message})`);
  error.message += `\n--- the page at ${page.url()} showed:\n${text.slice(0, 1_500)}`;
  if (notes.length) error.message += `\n--- and logged:\n${notes.join('\n')}`;
  return error;
}

/**
 * The site, and the fake Azure server with `scenario` that signs in at once; `overrides` as for
 * `serveSite` (config.json is the fake's).
 */
export async function signedInSite(scenario, overrides = {}) {
  const site = await serveSite(overrides);
  const fake = await startFakeAzure(['--scenario', scenario, '--app-origin', site.origin, '--auto-approve', '--quiet']);
  overrides['/config.json'] = JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
  return { site, fake, close: async () => { fake.stop(); await site.close(); } };
}

/** Signs in at `siteOrigin` (a fake that approves at once) and opens a subscription by name. */
export async function openSubscription(page, siteOrigin, name) {
  await page.goto(`${siteOrigin}/`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${siteOrigin}/tenants/**`);
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}
