// Test harness: serves the built site (dist/) on loopback, starts the fake Azure server,
// and launches Debian's headless Chromium with a watch on console errors and CSP violations.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
 * Serves dist/ like a static host with a SPA fallback; `overrides` maps a path to a body, or
 * to null for a file the host lacks (404). index.html gets the fakes' origins in connect-src.
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

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
}

/**
 * A new page that records what a user must never meet: console errors (its workers' too),
 * uncaught exceptions, CSP violations and dialogs (an `alert()` means injected script ran).
 * `options` are the browser context's (a colour scheme, a viewport).
 *
 * The page has no shared workers, so the app's network worker is a dedicated one, as in a
 * browser without them: Playwright neither sees nor routes a shared worker's requests
 * (microsoft/playwright#36690), and the tests read and rewrite ARM's answers with it.
 * `sharedWorkers: true` keeps them (tests/e2e/network.test.mjs: the app's usual path).
 */
export async function watchedPage(browser, options = {}, { sharedWorkers = false } = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  if (!sharedWorkers) await page.addInitScript(() => { delete window.SharedWorker; });
  const problems = { console: [], errors: [], csp: [], dialogs: [] };
  page.on('console', (m) => { if (m.type() === 'error') problems.console.push(m.text()); });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  page.on('dialog', (d) => { problems.dialogs.push(d.message()); d.dismiss(); });
  await page.exposeFunction('__cspViolation', (v) => problems.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  return { page, context, problems };
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
