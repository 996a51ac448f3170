// Offline and installable: the service worker (sw.js, written at build by
// scripts/service-worker.py) keeps the site's files, so that once the demo has loaded it opens and
// works with no network; it never keeps an answer of ARM or Entra ID, nor a token; a new build is
// offered with an update notice; the manifest and worker meet Chromium's install criteria; and a
// site under a folder (a GitHub Pages project site) gets all of this from its folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { startFakeAzure, launch, watchedPage, watchedPersistentPage, root, dist, indexForTests } from './harness.mjs';

let browser;
const cleanups = [];
before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The paths sw.js precaches, as the build listed them. */
function precacheList(site = dist) {
  const worker = fs.readFileSync(path.join(site, 'sw.js'), 'utf8');
  return JSON.parse(worker.match(/const PRECACHE = (\[\n[\s\S]*?\n\]);/)[1]).map(([p]) => p);
}

/** Waits until a service worker controls the page: its first install has precached every file. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
}

/** Every request URL kept in Cache Storage, by cache name. */
async function cacheContents(page) {
  return page.evaluate(async () => {
    const contents = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      contents[name] = (await cache.keys()).map((r) => r.url);
    }
    return contents;
  });
}

async function overviewLoaded(page) {
  await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
    && !/loading|listing/.test(document.querySelector('.summary').textContent), null, { timeout: 30_000 });
}

const statusOf = (page, name) => page.locator('table.subscriptions tbody tr', { has: page.getByRole('link', { name, exact: true }) })
  .locator('td:not(.select)').nth(2).textContent();

/** Whether the page can reach its own host for a file no cache holds. */
const reachesHost = (page) => page.evaluate(() => fetch(`nothing-${Date.now()}.txt`).then(() => true, () => false));
/** The console error of that one failed fetch, which the test declares: no other request of the page may fail offline. */
const PROBE_FAILED = 'Failed to load resource: net::ERR_INTERNET_DISCONNECTED';
const probeFailed = (problems) => problems.filter((p) => p.text === PROBE_FAILED).length;

test('once loaded, the demo opens offline: overview, machines, a change read back, a bulk run and its export', async (t) => {
  const site = await swappableSite(testedBuild());
  const { page, context, problems, expectProblem } = await watchedPage(t, browser);
  expectProblem(new RegExp(`^console\\.error: ${PROBE_FAILED}$`), 'the test probes the host once offline, and the browser logs the failure');
  try {
    await page.goto(`${site.origin}/try`);
    await overviewLoaded(page);
    await controlled(page);

    // No network at all: the browser offline, and the host gone too.
    await context.setOffline(true);
    await site.close();
    assert.equal(await reachesHost(page), false, 'the page still reaches its host');

    await page.reload();
    await overviewLoaded(page);
    await page.getByText('12 subscriptions: 3 On, 4 Partial, 1 On — no plan, 4 Off').waitFor();

    // A deep link is a navigation too: the cached page answers it.
    await page.goto(`${site.origin}/try/machines`);
    await page.getByRole('heading', { name: 'Machines', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: /\d+ machines, from / }).waitFor();

    // A change on a subscription's page, read back from the (in-page) tenant.
    await page.goto(`${site.origin}/try`);
    await page.getByRole('link', { name: 'Contoso Retail – EU' }).click();
    await page.getByRole('button', { name: 'Fix' }).click();
    await page.getByRole('dialog', { name: 'Fix this subscription?' }).getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Azure now reports WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false.').waitFor();
    await page.getByRole('link', { name: '← All subscriptions' }).click();
    await overviewLoaded(page);
    assert.equal(await statusOf(page, 'Contoso Retail – EU'), 'On');

    // The bulk page: plan, export (its own worker, cached too), apply, read back.
    await page.getByLabel('Select Contoso Dev/Test').check();
    await page.getByRole('link', { name: 'Plan a change for 1 →' }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JSON (the writes as data)' }).click()]);
    assert.equal(JSON.parse(fs.readFileSync(await file.path(), 'utf8')).writes.length, 1);
    await page.getByRole('button', { name: /^Apply 1 write to 1 subscription$/ }).click();
    await page.getByText('1 done · 0 failed · 0 skipped · 0 waiting').waitFor();
    await page.getByRole('link', { name: 'Subscriptions', exact: true }).click();
    await overviewLoaded(page);
    assert.equal(await statusOf(page, 'Contoso Dev/Test'), 'On');
    assert.equal(probeFailed(problems), 1, 'no request of the page but the probe failed offline');
  } finally {
    await context.close();
  }
});

test('a signed-in session leaves no answer of ARM or Entra ID and no token in the cache', async (t) => {
  const site = await swappableSite(dist);
  const fake = await startFakeAzure([
    '--scenario', path.join(root, 'public/demo/scenario.json'), '--app-origin', site.origin, '--auto-approve',
  ]);
  site.dir = testedBuild({ 'config.json': JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  }) });
  const CONFIG_CACHE = 'mde-console-config /';
  const { page, context } = await watchedPage(t, browser);
  const fromWorker = [];
  page.on('response', (r) => { if (r.url().startsWith(fake.origin) && r.fromServiceWorker()) fromWorker.push(r.url()); });
  try {
    await page.goto(`${site.origin}/`);
    await controlled(page);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${site.origin}/tenants/**`);
    await overviewLoaded(page);
    // Now the worker sees every request of the page: a reload, the overview, a subscription.
    await page.reload();
    await overviewLoaded(page);
    await page.getByRole('link', { name: 'Contoso Finance' }).click();
    await page.getByRole('heading', { name: 'Contoso Finance', level: 1 }).waitFor();

    const contents = await cacheContents(page);
    const build = Object.keys(contents).find((name) => name !== CONFIG_CACHE);
    assert.match(build, /^mde-console \/ [0-9a-f]{16}$/, 'the cache is named after the worker\'s scope and the build');
    assert.deepEqual(Object.keys(contents).sort(), [build, CONFIG_CACHE].sort());
    assert.deepEqual(contents[CONFIG_CACHE], [`${site.origin}/config.json`]);
    assert.deepEqual(contents[build].map((u) => u.slice(site.origin.length + 1)).sort(), precacheList(site.dir).sort(),
      'the build\'s cache holds its files and nothing else');
    assert.deepEqual(fromWorker, [], 'the worker answered an ARM or Entra request');

    // The tokens are in the tab's sessionStorage only: none in any cached body.
    const tokens = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('mde.tokens.'))
      .map((k) => sessionStorage.getItem(k)));
    assert.ok(tokens.length > 0, 'signed in with a token');
    const bodies = await page.evaluate(async () => {
      const all = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) all.push(await (await cache.match(request)).text());
      }
      return all.join('\n');
    });
    const secrets = tokens.map((t) => JSON.parse(t)).flatMap((t) => [t.access_token, t.refresh_token]).filter(Boolean);
    assert.ok(secrets.length > 0, 'no access or refresh token in sessionStorage');
    for (const secret of secrets) assert.ok(!bodies.includes(secret), 'a token\'s value is in the cache');
  } finally {
    await context.close();
    fake.stop();
    await site.close();
  }
});

/** Serves whichever build `site.dir` names now, as a static host with the SPA fallback does. */
async function swappableSite(dir) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
    '.json': 'application/json', '.png': 'image/png', '.webmanifest': 'application/manifest+json' };
  const site = { dir };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(site.dir, path.normalize(decodeURIComponent(url.pathname)));
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      if (path.extname(url.pathname)) { res.writeHead(404); return res.end('not found'); }
      file = path.join(site.dir, 'index.html');
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  site.origin = `http://127.0.0.1:${server.address().port}`;
  site.close = () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); });
  return site;
}

/**
 * The build as a test serves it once a fake Azure runs: its index.html allows the fake in its
 * CSP (harness.mjs), so sw.js is written again for that page, as a build with that CSP would
 * have it (the worker keeps only the bytes its list names). `files` adds or replaces files.
 */
function testedBuild(files = {}) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-build-tested-'));
  fs.cpSync(dist, copy, { recursive: true });
  fs.writeFileSync(path.join(copy, 'index.html'), indexForTests());
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(copy, name), body);
  execFileSync('python3', [path.join(root, 'scripts/service-worker.py')], { env: { ...process.env, TRUNK_STAGING_DIR: copy } });
  cleanups.push(() => fs.rmSync(copy, { recursive: true, force: true }));
  return copy;
}

/**
 * Build B: build A with its stylesheet changed (a new hashed name, a rule that marks B) and
 * sw.js written again by the build's own step, as a new deploy would bring.
 */
function buildB(a) {
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-build-b-'));
  fs.cpSync(a, b, { recursive: true });
  const css = fs.readdirSync(b).find((f) => /^main-[0-9a-f]+\.css$/.test(f));
  const changed = Buffer.concat([fs.readFileSync(path.join(b, css)), Buffer.from('\n:root { --build: "B"; }\n')]);
  const renamed = `main-${crypto.createHash('sha256').update(changed).digest('hex').slice(0, 16)}.css`;
  fs.rmSync(path.join(b, css));
  fs.writeFileSync(path.join(b, renamed), changed);
  const integrity = `sha384-${crypto.createHash('sha384').update(changed).digest('base64')}`;
  const page = fs.readFileSync(path.join(b, 'index.html'), 'utf8')
    .replace(new RegExp(`href="\\./${css}" integrity="[^"]*"`), `href="./${renamed}" integrity="${integrity}"`);
  assert.ok(page.includes(renamed), 'build B\'s page links its stylesheet');
  fs.writeFileSync(path.join(b, 'index.html'), page);
  execFileSync('python3', [path.join(root, 'scripts/service-worker.py')], { env: { ...process.env, TRUNK_STAGING_DIR: b } });
  cleanups.push(() => fs.rmSync(b, { recursive: true, force: true }));
  return b;
}

test('a new deploy is offered with "An update is available — Reload", and Reload runs it', async (t) => {
  const b = buildB(dist);
  assert.notEqual(fs.readFileSync(path.join(b, 'sw.js'), 'utf8'), fs.readFileSync(path.join(dist, 'sw.js'), 'utf8'),
    'a changed file changes the worker');
  const site = await swappableSite(dist);
  const { page, context } = await watchedPage(t, browser);
  const build = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--build').trim());
  try {
    await page.goto(`${site.origin}/try`);
    await overviewLoaded(page);
    await controlled(page);
    assert.equal(await build(), '');
    const notice = page.getByRole('status').filter({ hasText: 'An update is available' });
    assert.equal(await notice.count(), 0, 'no notice for the first install');

    site.dir = b;
    await page.reload();
    await overviewLoaded(page);
    await notice.waitFor({ timeout: 30_000 });
    assert.equal(await build(), '', 'the page runs build A until the user reloads');
    // The notice is the page's first stop for the keyboard.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Reload');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => getComputedStyle(document.documentElement).getPropertyValue('--build').trim() === '"B"');
    await overviewLoaded(page);
    assert.equal(await notice.count(), 0);
    // Build A's files are gone from the cache: one build's cache, and the config's.
    const contents = await cacheContents(page);
    assert.equal(Object.keys(contents).length, 2, Object.keys(contents).join(', '));
    const files = Object.values(contents).flat().map((u) => u.slice(site.origin.length + 1));
    assert.ok(files.includes(fs.readdirSync(b).find((f) => /^main-.*\.css$/.test(f))));
    assert.ok(!files.some((f) => f === fs.readdirSync(dist).find((n) => /^main-.*\.css$/.test(n))), 'build A\'s stylesheet is still kept');
  } finally {
    await context.close();
    await site.close();
  }
});

test('the worker serves only the build\'s bytes: a copy rewritten in Cache Storage is dropped for the network\'s', async (t) => {
  const site = await swappableSite(testedBuild());
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    await overviewLoaded(page);
    await controlled(page);
    // Any script of the origin may write the origin's Cache Storage: here, a page of its own
    // in place of the app's shell, and a script in place of the app's.
    const rewritten = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('mde-console / '));
      const cache = await caches.open(names[0]);
      const html = { headers: { 'Content-Type': 'text/html' } };
      await cache.put(`${location.origin}/index.html`, new Response('<!DOCTYPE html><title>Forged</title><p>forged', html));
      const script = (await cache.keys()).map((r) => r.url).find((u) => /\/mde-console-[^/]*\.js$/.test(u));
      await cache.put(script, new Response('document.title = "Forged script"', { headers: { 'Content-Type': 'text/javascript' } }));
      return names.length;
    });
    assert.equal(rewritten, 1);
    await page.reload();
    await overviewLoaded(page);
    assert.equal(await page.title(), 'MDE Console', 'the forged copy was served');
    // The forged copies are gone: the next load offline would not meet them either.
    const kept = await page.evaluate(async () => {
      const cache = await caches.open((await caches.keys()).find((n) => n.startsWith('mde-console / ')));
      return (await (await cache.match(`${location.origin}/index.html`))?.text() ?? '').includes('forged');
    });
    assert.equal(kept, false);
  } finally {
    await context.close();
    await site.close();
  }
});

test('two deployments on one origin (/mde/ and /mde-staging/) keep their own offline copies', async (t) => {
  const staging = buildB(testedBuild());
  const folders = { '/mde/': testedBuild(), '/mde-staging/': staging };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const folder = Object.keys(folders).find((f) => url.pathname.startsWith(f));
    if (!folder) { res.writeHead(404); return res.end('not found'); }
    let file = path.join(folders[folder], path.normalize(decodeURIComponent(url.pathname.slice(folder.length))));
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      if (path.extname(url.pathname)) { res.writeHead(404); return res.end('not found'); }
      file = path.join(folders[folder], 'index.html');
    }
    const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { page, context } = await watchedPage(t, browser);
  try {
    for (const folder of Object.keys(folders)) {
      await page.goto(`${origin}${folder}try`);
      await overviewLoaded(page);
      await controlled(page);
    }
    const names = await page.evaluate(() => caches.keys());
    assert.deepEqual(names.filter((n) => !n.startsWith('mde-console-config')).map((n) => n.replace(/[0-9a-f]{16}$/, 'BUILD')).sort(),
      ['mde-console /mde-staging/ BUILD', 'mde-console /mde/ BUILD']);
    // Staging's install did not delete the other deployment's copy: it opens offline.
    await context.setOffline(true);
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    await page.goto(`${origin}/mde/try`);
    await overviewLoaded(page);
    await page.getByText('12 subscriptions: 3 On, 4 Partial, 1 On — no plan, 4 Off').waitFor();
  } finally {
    await context.close();
    server.close();
  }
});

/** Width and height from a PNG's IHDR. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('installable: the manifest has what Chromium asks for, real icons, and the worker is registered', async (t) => {
  const site = await swappableSite(testedBuild());
  // A profile on disk: Chromium installs no app from an incognito window (every newContext is one).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-offline-profile-'));
  const { page, context } = await watchedPersistentPage(t, profile);
  try {
    await page.goto(`${site.origin}/`);
    await controlled(page);
    const href = await page.evaluate(() => document.querySelector('link[rel=manifest]').href);
    assert.equal(href, `${site.origin}/manifest.webmanifest`);
    const manifest = await (await fetch(href)).json();
    assert.equal(manifest.name, 'MDE Console');
    assert.ok(manifest.short_name);
    assert.equal(manifest.start_url, './');
    assert.equal(manifest.scope, './');
    assert.equal(manifest.display, 'standalone');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/);
    const sizes = [];
    for (const icon of manifest.icons) {
      const answer = await fetch(new URL(icon.src, href));
      assert.equal(answer.headers.get('content-type'), 'image/png', icon.src);
      const [w, h] = pngSize(Buffer.from(await answer.arrayBuffer()));
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
      sizes.push(`${icon.sizes} ${icon.purpose}`);
    }
    assert.deepEqual(sizes.sort(), ['192x192 any', '512x512 any', '512x512 maskable']);

    const registration = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { scope: r.scope, script: r.active.scriptURL };
    });
    assert.deepEqual(registration, { scope: `${site.origin}/`, script: `${site.origin}/sw.js` });
    // Chromium's own verdict, as its install button would see it.
    const cdp = await context.newCDPSession(page);
    const { errors } = await cdp.send('Page.getAppManifest');
    assert.deepEqual(errors, []);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
  } finally {
    await context.close();
    await site.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

/** host.py as GitHub Pages with the build as a project site under /mde-console/. */
async function githubPagesSite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-offline-pages-'));
  const folder = path.join(dir, 'mde-console');
  fs.mkdirSync(folder);
  for (const name of fs.readdirSync(dist)) fs.symlinkSync(path.join(dist, name), path.join(folder, name));
  const server = spawn('python3', [path.join(root, 'tests/e2e/hosts/host.py'), 'github-pages', folder, '--folder', '/mde-console/'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const origin = await new Promise((ok, fail) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) ok(m[1]);
    });
    server.on('exit', (code) => fail(new Error(`host.py exited with ${code}: ${out}`)));
  });
  return { site: `${origin}/mde-console/`, stop: () => { server.kill(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

test('under a folder (GitHub Pages project site) the worker registers there, and deep links open offline', async (t) => {
  const host = await githubPagesSite();
  const { page, context, problems, expectProblem } = await watchedPage(t, browser);
  expectProblem(new RegExp(`^console\\.error: ${PROBE_FAILED}$`), 'the test probes the host once offline, and the browser logs the failure');
  expectProblem(/^console\.error: Failed to load resource: the server responded with a status of 404/,
    'GitHub Pages answers the first deep link with its 404.html and status 404, and the browser logs it');
  try {
    const answer = await page.goto(`${host.site}try/machines`);
    assert.equal(answer.status(), 404, 'Pages answers a deep link with its 404.html');
    await page.getByRole('heading', { name: 'Machines', level: 1 }).waitFor();
    await controlled(page);
    const registration = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { scope: r.scope, script: r.active.scriptURL };
    });
    assert.deepEqual(registration, { scope: host.site, script: `${host.site}sw.js` });

    await context.setOffline(true);
    host.stop();
    assert.equal(await reachesHost(page), false);
    const again = await page.goto(`${host.site}try`);
    assert.equal(again.status(), 200, 'the cached page answers, not the host');
    await overviewLoaded(page);
    await page.getByRole('link', { name: 'Machines' }).first().click();
    await page.getByRole('status').filter({ hasText: /\d+ machines, from / }).waitFor();
    // The one 404 is the host's answer to the first deep link (Chromium logs it).
    assert.equal(probeFailed(problems), 1, 'no request of the page but the probe failed offline');
    assert.equal(problems.filter((p) => /status of 404/.test(p.text)).length, 1);
  } finally {
    await context.close();
    host.stop();
  }
});
