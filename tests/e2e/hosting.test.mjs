// Hosting end to end: one release build behind Python servers that answer as the hosts do
// (tests/e2e/hosts/host.py): GitHub Pages with a project site under /mde-console/ (deep links
// through 404.html), Azure Static Web Apps (staticwebapp.config.json's fallback and headers)
// and nginx under /tools/mde-console/ (hosting/nginx.conf's rules). Under each: deep links open
// their page, the demo's worker and scenario load from the site's folder, sign-in through a fake
// Entra ID comes back to that folder, and the page meets no CSP violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startFakeAzure, launch, watchedPage, workerForTests, root } from './harness.mjs';

/** The build under test (E2E_DIST to try another). */
const dist = process.env.E2E_DIST ? path.resolve(process.env.E2E_DIST) : path.join(root, 'dist');
const SCENARIO = path.join(root, 'public/demo/scenario.json');
const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const HOME_TENANT = '6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31';
/**
 * The files a test writes itself: the page (its CSP lets the app reach the fake), the service
 * worker that lists that page's bytes, the config.
 */
const WRITTEN = ['index.html', '404.html', 'sw.js', 'config.json', 'staticwebapp.config.json'];

const HOSTS = [
  // Pages answers a missing path with the site's 404.html and status 404: the app, all the same.
  { name: 'GitHub Pages', kind: 'github-pages', folder: '/mde-console/', deepLinkStatus: 404, frameable: true },
  { name: 'Azure Static Web Apps', kind: 'static-web-apps', folder: '/', deepLinkStatus: 200, frameable: false },
  { name: 'nginx', kind: 'nginx', folder: '/tools/mde-console/', deepLinkStatus: 200, frameable: false },
];

let browser;
const running = [];
before(async () => {
  browser = await launch();
  await Promise.all(HOSTS.map(async (host) => Object.assign(host, await startHost(host))));
});
after(async () => {
  await browser?.close();
  for (const stop of running) stop();
});

/** The page's CSP (and a CSP header) with `origin` added to connect-src, as the shipped build allows no loopback. */
function allowConnect(policy, origin) {
  return policy.replace(/(connect-src [^;"]*)/, `$1 ${origin}`);
}

/** Serves the build as `host` does, with a fake Entra ID + ARM that only this site's origin may use. */
async function startHost({ kind, folder }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mde-${kind}-`));
  running.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const site = path.join(dir, ...folder.split('/').filter(Boolean));
  fs.mkdirSync(site, { recursive: true });
  for (const name of fs.readdirSync(dist)) {
    if (!WRITTEN.includes(name)) fs.symlinkSync(path.join(dist, name), path.join(site, name));
  }
  // The site's port first: the fake must know the site's origin, and the site the fake's.
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const fake = await startFakeAzure(['--scenario', SCENARIO, '--app-origin', origin]);
  running.push(fake.stop);

  const page = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const csp = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)/;
  assert.match(page, csp);
  const tested = page.replace(csp, (_, head, policy) => head + allowConnect(policy, fake.origin));
  fs.writeFileSync(path.join(site, 'index.html'), tested);
  fs.writeFileSync(path.join(site, '404.html'), tested);
  fs.writeFileSync(path.join(site, 'sw.js'), workerForTests({ 'index.html': tested }));
  const swa = JSON.parse(fs.readFileSync(path.join(dist, 'staticwebapp.config.json'), 'utf8'));
  swa.globalHeaders['Content-Security-Policy'] = allowConnect(swa.globalHeaders['Content-Security-Policy'], fake.origin);
  fs.writeFileSync(path.join(site, 'staticwebapp.config.json'), JSON.stringify(swa));
  // nginx's CSP header has a connect-src too.
  const nginxConf = path.join(dir, 'nginx-site.conf');
  const conf = fs.readFileSync(path.join(root, 'hosting/nginx.conf'), 'utf8')
    .replace(/(add_header Content-Security-Policy "[^"]*connect-src [^;"]*)/, `$1 ${fake.origin}`);
  fs.writeFileSync(nginxConf, conf);
  fs.writeFileSync(path.join(site, 'config.json'), JSON.stringify({
    clientId: CLIENT_ID,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  }));
  if (kind === 'nginx' && process.env.E2E_NGINX) await startNginx(process.env.E2E_NGINX, dir, folder, port, nginxConf);
  else await startPython(kind, site, folder, port, nginxConf);
  return { origin, fake, site: `${origin}${folder}` };
}

/** A port nothing listens on now. */
function freePort() {
  return new Promise((ok) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => { const p = probe.address().port; probe.close(() => ok(p)); });
  });
}

/**
 * A watched page (see harness.mjs) for test `t` that also counts the pages the host answered
 * with a 404, and declares them: Chromium logs a console error for each, which is the host's way
 * (GitHub Pages answers a deep link with its 404.html), not a fault. (Whether a reload reaches
 * the host or the service worker answers it depends on when the worker took over.)
 */
async function hostedPage(t) {
  const watched = await watchedPage(t, browser);
  watched.pages404 = 0;
  watched.page.on('response', (r) => {
    if (!r.request().isNavigationRequest() || r.status() !== 404) return;
    if (watched.pages404++ === 0) {
      watched.expectProblem(/^console\.error: Failed to load resource: the server responded with a status of 404/,
        `the host answered ${r.url()} with its 404.html and status 404, and the browser logs it`);
    }
  });
  return watched;
}

/** host.py answering as `kind` on `port`. */
async function startPython(kind, site, folder, port, nginxConf) {
  const server = spawn('python3', [path.join(root, 'tests/e2e/hosts/host.py'), kind, site, '--folder', folder,
    '--port', String(port), '--nginx-conf', nginxConf], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(() => server.kill());
  return new Promise((ok, fail) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) ok();
    });
    server.on('exit', (code) => fail(new Error(`host.py ${kind} exited with ${code}: ${out}`)));
  });
}

/**
 * With E2E_NGINX=/path/to/nginx, the nginx case runs a real nginx on hosting/nginx.conf (its
 * folder locations in place of `location /`), to check host.py's reading of it.
 */
async function startNginx(nginx, dir, folder, port, nginxConf) {
  let site = fs.readFileSync(nginxConf, 'utf8')
    .replace('listen 80;', `listen 127.0.0.1:${port};`)
    .replace('root /srv/mde-console;', `root ${dir};`);
  assert.equal(folder, '/tools/mde-console/', 'hosting/nginx.conf shows the locations for /tools/mde-console/');
  site = site.replace(/\n    location \/ \{[^}]*\}/, '').replace(/# (location =? ?\/tools\/mde-console)/g, '$1');
  const types = 'types { text/html html; text/javascript js; text/css css; application/json json; }';
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  fs.chmodSync(dir, 0o755); // nginx's workers run as another user than its master
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `daemon off; pid ${dir}/nginx.pid; events {}
http { ${types} default_type application/octet-stream; access_log off; ${temp}
${site} }`);
  const server = spawn(nginx, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: 'inherit' });
  running.push(() => server.kill());
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i += 1) {
    if (await fetch(origin).then(() => true, () => false)) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`nginx did not start: ${fs.readFileSync(`${dir}/error.log`, 'utf8')}`);
}

/** The 404s logged are the pages the host answered 404, one each, and no other file. */
function only404sOfPages({ problems, pages404 }) {
  const logged = problems.filter((p) => /status of 404/.test(p.text));
  assert.equal(logged.length, pages404, `404s beyond the pages the host answered so: ${logged.map((p) => p.line)}`);
}

const scenario = JSON.parse(fs.readFileSync(SCENARIO, 'utf8'));
const finance = scenario.subscriptions.find((s) => s.subscription.displayName === 'Contoso Finance').subscription;

for (const host of HOSTS) {
  test(`${host.name}: deep links open their page, the demo loads from ${host.folder}, links stay in it`, async (t) => {
    const watched = await hostedPage(t);
    const { page, context } = watched;
    const demoFiles = [];
    page.on('response', (r) => {
      if (/demo-tenant|\/demo\//.test(r.url())) demoFiles.push(`${r.status()} ${r.url()}`);
    });
    try {
      const answer = await page.goto(`${host.site}try/machines`);
      assert.equal(answer.status(), host.deepLinkStatus);
      await page.getByRole('heading', { name: 'Machines', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: /\d+ machines, from / }).waitFor();
      assert.deepEqual(demoFiles.sort(), [
        `200 ${host.site}demo-tenant.js`,
        `200 ${host.site}demo-tenant_bg.wasm`,
        `200 ${host.site}demo-tenant_loader.js`,
        `200 ${host.site}demo/scenario.json`,
      ]);

      await page.goto(`${host.site}try/subscriptions/${finance.subscriptionId}`);
      await page.getByRole('heading', { name: 'Contoso Finance', level: 1 }).waitFor();
      // The pages' links carry the folder (a new tab or a copied link opens the right page).
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.getByRole('link', { name: 'Machines' }).getAttribute('href'), `${host.folder}try/machines`);
      assert.equal(await page.getByRole('link', { name: '← All subscriptions' }).getAttribute('href'), `${host.folder}try`);
      await nav.getByRole('link', { name: 'Machines' }).click();
      await page.waitForURL(`${host.site}try/machines`);
      await page.getByRole('heading', { name: 'Machines', level: 1 }).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'Contoso Finance', level: 1 }).waitFor();
      await page.getByRole('link', { name: '← All subscriptions' }).click();
      await page.waitForURL(`${host.site}try`);
      await page.getByRole('row', { name: /Contoso Payments/ }).waitFor();
      only404sOfPages(watched);
    } finally {
      await context.close();
    }
  });

  test(`${host.name}: sign-in comes back to ${host.folder}, a reload there stays signed in, sign-out returns`, async (t) => {
    const watched = await hostedPage(t);
    const { page, context } = watched;
    try {
      await page.goto(host.site);
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.waitForURL(`${host.fake.origin}/**`);
      assert.equal(new URL(page.url()).searchParams.get('redirect_uri'), host.site, 'the redirect URI is the site\'s folder');
      await page.getByRole('link', { name: /Sign in as Avery Admin/ }).click();
      await page.waitForURL(`${host.site}tenants/${HOME_TENANT}`);
      await page.getByRole('rowheader', { name: 'Contoso Retail – EU', exact: true }).waitFor();
      await page.reload();
      await page.getByRole('rowheader', { name: 'Contoso Retail – EU', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(host.site);
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
      only404sOfPages(watched);
    } finally {
      await context.close();
    }
  });
}

test('Static Web Apps sends the page\'s CSP with frame-ancestors, nosniff, no referrer and the wasm type', async () => {
  const swa = HOSTS.find((h) => h.kind === 'static-web-apps');
  const answer = await fetch(`${swa.site}try/machines`);
  const meta = (await answer.text()).match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)[1];
  // The header is the page's policy but for Trusted Types (the workers it also reaches load
  // their glue with importScripts), and adds frame-ancestors.
  assert.match(meta, /require-trusted-types-for 'script'; trusted-types default mde-inert/);
  const withoutTrustedTypes = meta.replace(/ require-trusted-types-for 'script'; trusted-types default mde-inert;/, '');
  assert.equal(answer.headers.get('content-security-policy'), `${withoutTrustedTypes}; frame-ancestors 'none'`);
  assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(answer.headers.get('referrer-policy'), 'no-referrer');
  const wasm = fs.readdirSync(dist).find((f) => /^mde-console-.*_bg\.wasm$/.test(f));
  assert.equal((await fetch(`${swa.site}${wasm}`)).headers.get('content-type'), 'application/wasm');
  assert.equal((await fetch(`${swa.site}nothing.js`)).status, 404, 'a missing file is no page');
  assert.equal((await fetch(`${swa.site}config.json`)).headers.get('cache-control'), 'no-cache');
});

test('the hosts that send headers send HSTS, COOP, no-cache for the network worker, and a CSP that reaches the workers', async () => {
  for (const host of HOSTS.filter((h) => h.kind !== 'github-pages')) {
    const page = await fetch(`${host.site}try/machines`);
    assert.equal(page.headers.get('strict-transport-security'), 'max-age=31536000', host.name);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin', host.name);
    // The worker's file keeps its name from build to build: revalidated, like the others.
    const worker = await fetch(`${host.site}network-worker.js`);
    assert.equal(worker.status, 200, host.name);
    assert.equal(worker.headers.get('cache-control'), 'no-cache', `${host.name}: network-worker.js`);
    // A worker's policy is its own response's header: it must keep the worker's fetches on the
    // cloud's hosts (here the fake's origin, added as index.html's is) and workers on the site.
    const policy = worker.headers.get('content-security-policy') ?? '';
    assert.match(policy, new RegExp(`connect-src 'self' https://login\\.microsoftonline\\.com [^;]*${host.fake.origin}`), host.name);
    assert.match(policy, /worker-src 'self'/, host.name);
  }
});

test('a host that sends frame-ancestors keeps the app out of another site\'s frame', async (t) => {
  const { page, context, expectProblem } = await watchedPage(t, browser);
  expectProblem(/^csp: Framing '[^']*' violates the following Content Security Policy directive: "frame-ancestors 'none'"/,
    "Static Web Apps and nginx forbid framing (frame-ancestors 'none'); the test frames each host on purpose");
  try {
    for (const host of HOSTS) {
      await page.setContent(`<iframe src="${host.site}" width="800" height="600"></iframe>`);
      const frame = page.frames()[1];
      await frame.waitForLoadState('load');
      const framed = await frame.evaluate(() => document.title).catch(() => '');
      assert.equal(framed === 'MDE Console', host.frameable, `${host.name}: framed = ${framed}`);
    }
  } finally {
    await context.close();
  }
});

test('on a host that puts many sites on one origin the start page warns, once; on an origin of its own it does not', async (t) => {
  // The GitHub Pages-like host's folder under an Azure Storage static website's name: the
  // account's other folders share that origin (github.io itself is HSTS-preloaded: no plain
  // http test server can stand for it).
  const pages = HOSTS.find((h) => h.kind === 'github-pages');
  const shared = 'mdeconsole.z6.web.core.windows.net';
  const mapped = await launch({ args: [`--host-resolver-rules=MAP ${shared} 127.0.0.1`] });
  t.after(() => mapped.close());
  {
    const { page, context } = await watchedPage(t, mapped);
    try {
      await page.goto(`http://${shared}:${new URL(pages.origin).port}/mde-console/`);
      const warning = page.getByRole('note').filter({ hasText: 'shared origin' });
      await warning.waitFor();
      assert.match(await warning.textContent(), new RegExp(`${shared.replace(/\./g, '\\.')} is one storage account's origin`));
      assert.match(await warning.textContent(), /origin of its own/);
      await page.reload();
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
      assert.equal(await warning.count(), 0, 'warned once in the tab, not on every visit');
    } finally {
      await context.close();
    }
  }
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(pages.site);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    assert.equal(await page.getByRole('note').filter({ hasText: 'shared origin' }).count(), 0);
  } finally {
    await context.close();
  }
});

test('subresource integrity covers what the README says: the stylesheet and the main module, with their bytes\' hashes', () => {
  const page = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const covered = [...page.matchAll(/<(?:link|script)\b[^>]*?(?:href|src)="\.\/([^"]+)"[^>]*?integrity="(sha384-[^"]+)"/g)];
  assert.deepEqual(covered.map(([, file]) => file.replace(/-[0-9a-f]{16}/, '-HASH')).sort(), ['main-HASH.css', 'mde-console-HASH.js']);
  for (const [, file, integrity] of covered) {
    const digest = crypto.createHash('sha384').update(fs.readFileSync(path.join(dist, file))).digest('base64');
    assert.equal(integrity, `sha384-${digest}`, file);
  }
});
