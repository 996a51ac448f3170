// The signed-in app's network worker (public/network-worker.js): the requests to Entra ID and
// ARM leave from it (a shared worker, or a dedicated one where the browser has none), not from
// the page (whose main thread they kept busy for seconds on a large tenant); it fetches from the cloud's origins only, since the page's Content-Security-Policy
// does not reach a worker; and a site that lacks its file still works, from the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signedInSite, launch, watchedPage, expectInstallRefused, root } from './harness.mjs';
import path from 'node:path';
import fs from 'node:fs';
import http from 'node:http';

const SCENARIO = path.join(root, 'public/demo/scenario.json');
const COMPLETE = /^\d+ subscriptions: \d+ On, \d+ Partial, \d+ On — no plan, \d+ Off$/;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signInAndLoad(page, site) {
  await page.goto(`${site.origin}/`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${site.origin}/tenants/**`);
  await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.summary')?.textContent.trim()),
    COMPLETE.source, { timeout: 30_000 });
}

/**
 * The app's name for its shared network worker: FNV-1a (64 bits) of the worker file's bytes, as
 * network.rs computes it when the app is compiled.
 */
function sharedWorkerName() {
  let hash = 0xcbf29ce484222325n;
  for (const byte of fs.readFileSync(path.join(root, 'public/network-worker.js'))) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  }
  return `mde-network-${hash.toString(16).padStart(16, '0')}`;
}

/** The shared workers of the browser running the site's network-worker.js. */
async function sharedNetworkWorkers() {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    return targetInfos.filter((t) => t.type === 'shared_worker' && t.url.endsWith('/network-worker.js'));
  } finally {
    await cdp.detach();
  }
}

/** The ARM and Entra requests the page itself made (its own resource timeline). */
const fromThePage = (page, origin) =>
  page.evaluate((o) => performance.getEntriesByType('resource').filter((e) => e.name.startsWith(o)).length, origin);

/**
 * Evaluates `fn(arg)` in the shared worker whose script ends with `suffix`, through the
 * browser's DevTools session (Playwright lists dedicated workers only).
 */
async function inSharedWorker(suffix, fn, arg) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((t) => t.type === 'shared_worker' && t.url.endsWith(suffix));
    if (!target) return undefined;
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    const answer = new Promise((ok) => cdp.on('Target.receivedMessageFromTarget', (m) => {
      const message = JSON.parse(m.message);
      if (m.sessionId === sessionId && message.id === 1) ok(message.result.result.value);
    }));
    const expression = `(${fn})(${JSON.stringify(arg)})`;
    await cdp.send('Target.sendMessageToTarget', {
      sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }),
    });
    return await answer;
  } finally {
    await cdp.detach();
  }
}

/** The paths of the requests to `origin` in a worker's resource timeline. */
const requested = (origin) =>
  performance.getEntriesByType('resource').filter((e) => e.name.startsWith(origin)).map((e) => new URL(e.name).pathname);

/** `inWorker` (a worker's requested paths) has the sign-in and the settings reads; the page none. */
async function assertFromTheWorker(inWorker, page, origin) {
  assert.ok(inWorker.some((p) => p.endsWith('/oauth2/v2.0/token')), 'the sign-in code is redeemed from the worker');
  assert.ok(inWorker.filter((p) => p.endsWith('/providers/Microsoft.Security/settings')).length >= 3,
    "every subscription's settings are read from the worker");
  assert.equal(await fromThePage(page, origin), 0, 'the page made no request to Entra ID or ARM itself');
}

test('the token exchange and every ARM request leave from the shared network worker, not the page', async (t) => {
  const { site, fake, close } = await signedInSite(SCENARIO);
  const { page } = await watchedPage(t, browser, {}, { sharedWorkers: true });
  try {
    await signInAndLoad(page, site);
    const inWorker = await inSharedWorker('/network-worker.js', requested, fake.origin);
    assert.ok(inWorker, 'the network worker runs as a shared worker');
    await assertFromTheWorker(inWorker, page, fake.origin);
    assert.equal(page.workers().filter((w) => w.url().endsWith('/network-worker.js')).length, 0, 'no dedicated one');
  } finally {
    await page.context().close();
    await close();
  }
});

test('a browser without shared workers gets a dedicated network worker', async (t) => {
  const { site, fake, close } = await signedInSite(SCENARIO);
  const { page } = await watchedPage(t, browser); // no shared workers
  try {
    await signInAndLoad(page, site);
    const worker = page.workers().find((w) => w.url().endsWith('/network-worker.js'));
    assert.ok(worker, 'the network worker runs');
    const inWorker = await worker.evaluate(requested, fake.origin);
    await assertFromTheWorker(inWorker, page, fake.origin);
  } finally {
    await page.context().close();
    await close();
  }
});

test("the network worker fetches from the origins its page named only", async (t) => {
  const { site, fake, close } = await signedInSite(SCENARIO);
  const { page } = await watchedPage(t, browser, {}, { sharedWorkers: true });
  const elsewhere = [];
  page.on('request', (r) => { if (r.url().startsWith('http://127.0.0.2')) elsewhere.push(r.url()); });
  try {
    await signInAndLoad(page, site);
    // A port of its own to the app's worker, as another tab of the site has: a call to another
    // origin (as a bug in the app, or a hostile nextLink it let through, would make) is answered
    // with a refusal and never sent, before and after the port names the cloud's origins.
    // The name is the file's hash: this port joins the app's own worker, not a new one.
    const answers = await page.evaluate(async ([arm, name]) => {
      const worker = new SharedWorker('/network-worker.js', name);
      const seen = [];
      // Both answers, or what came within 10 s.
      const answered = new Promise((done) => {
        worker.port.onmessage = ({ data }) => { seen.push(...data); if (seen.length >= 2) done(); };
        setTimeout(done, 10_000);
      });
      const call = (id) => ({ calls: JSON.stringify([{
        id, method: 'GET', url: 'http://127.0.0.2:9/subscriptions?api-version=2022-12-01',
        headers: [['Authorization', 'Bearer stolen']], body: '', timeoutMs: 5000,
      }]) });
      worker.port.postMessage(call(1));
      worker.port.postMessage({ origins: [arm] });
      worker.port.postMessage(call(2));
      await answered;
      return seen;
    }, [fake.origin, sharedWorkerName()]);
    assert.equal((await sharedNetworkWorkers()).length, 1, 'one shared network worker: the app\'s, named by its hash');
    assert.deepEqual(answers.map((a) => a.id), [1, 2], 'both calls answered');
    for (const a of answers) assert.match(a.error, /http:\/\/127\.0\.0\.2:9 is not an origin of this app's cloud/);
    assert.deepEqual(elsewhere, []);
    // The app's own port is untouched: its overview still answers.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.summary')?.textContent.trim()),
      COMPLETE.source, { timeout: 30_000 });
  } finally {
    await page.context().close();
    await close();
  }
});

test('the network worker follows no redirect: a 307 from an allowed origin does not carry the body elsewhere', async (t) => {
  // An allowed origin that answers a token request with a redirect to another origin, which
  // records what reaches it.
  const reached = [];
  const elsewhere = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      reached.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise((ok) => elsewhere.listen(0, '127.0.0.1', ok));
  const redirector = http.createServer((req, res) => {
    res.writeHead(307, { 'Access-Control-Allow-Origin': '*', Location: `http://127.0.0.1:${elsewhere.address().port}/steal` }).end();
  });
  await new Promise((ok) => redirector.listen(0, '127.0.0.1', ok));
  const allowed = `http://127.0.0.1:${redirector.address().port}`;
  const { site, close } = await signedInSite(SCENARIO);
  const { page } = await watchedPage(t, browser, {}, { sharedWorkers: true });
  try {
    await page.goto(`${site.origin}/`);
    const answers = await page.evaluate(async (origin) => {
      const worker = new SharedWorker('/network-worker.js', 'redirect-test');
      const seen = [];
      worker.port.onmessage = ({ data }) => seen.push(...data);
      worker.port.postMessage({ origins: [origin] });
      worker.port.postMessage({ calls: JSON.stringify([{
        id: 7, method: 'POST', url: `${origin}/common/oauth2/v2.0/token`,
        headers: [['Content-Type', 'application/x-www-form-urlencoded']],
        body: 'grant_type=refresh_token&refresh_token=secret', timeoutMs: 5000,
      }]) });
      for (let i = 0; i < 50 && !seen.length; i += 1) await new Promise((ok) => setTimeout(ok, 100));
      return seen;
    }, allowed);
    assert.equal(answers.length, 1);
    assert.equal(answers[0].id, 7);
    assert.ok(answers[0].error, `the redirect is an error, not an answer: ${JSON.stringify(answers[0])}`);
    assert.deepEqual(reached, [], 'nothing reached the other origin');
  } finally {
    await page.context().close();
    await close();
    redirector.close();
    elsewhere.close();
  }
});

test('a site without network-worker.js still signs in and loads the overview, from the page', async (t) => {
  const { site, fake, close } = await signedInSite(SCENARIO, { '/network-worker.js': null });
  const { page, watch } = await watchedPage(t, browser, {}, { sharedWorkers: true });
  const installRefused = expectInstallRefused(watch, 'network-worker.js');
  try {
    await signInAndLoad(page, site);
    assert.equal(page.workers().filter((w) => w.url().endsWith('/network-worker.js')).length, 0);
    assert.ok(await fromThePage(page, fake.origin) > 3, 'the page made the requests itself');
    await page.getByRole('link', { name: 'Contoso Retail – EU' }).waitFor();
    await installRefused();
  } finally {
    await page.context().close();
    await close();
  }
});
