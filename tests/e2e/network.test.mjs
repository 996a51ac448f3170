// The signed-in app's network worker (public/network-worker.js): the requests to Entra ID and
// ARM leave from it, not from the page (whose main thread they kept busy for seconds on a large
// tenant); it fetches from the cloud's origins only, since the page's Content-Security-Policy
// does not reach a worker; and a site that lacks its file still works, from the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signedInSite, launch, watchedPage, root } from './harness.mjs';
import path from 'node:path';

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

/** The ARM and Entra requests the page itself made (its own resource timeline). */
const fromThePage = (page, origin) =>
  page.evaluate((o) => performance.getEntriesByType('resource').filter((e) => e.name.startsWith(o)).length, origin);

test('the token exchange and every ARM request leave from the network worker, not the page', async () => {
  const { site, fake, close } = await signedInSite(SCENARIO);
  const { page, problems } = await watchedPage(browser);
  try {
    await signInAndLoad(page, site);
    const worker = page.workers().find((w) => w.url().endsWith('/network-worker.js'));
    assert.ok(worker, 'the network worker runs');
    const inWorker = await worker.evaluate((o) =>
      performance.getEntriesByType('resource').filter((e) => e.name.startsWith(o)).map((e) => new URL(e.name).pathname), fake.origin);
    assert.ok(inWorker.some((p) => p.endsWith('/oauth2/v2.0/token')), 'the sign-in code is redeemed from the worker');
    assert.ok(inWorker.filter((p) => p.endsWith('/providers/Microsoft.Security/settings')).length >= 3,
      "every subscription's settings are read from the worker");
    assert.equal(await fromThePage(page, fake.origin), 0, 'the page made no request to Entra ID or ARM itself');
    assert.deepEqual(problems, { console: [], errors: [], csp: [], dialogs: [] });
  } finally {
    await page.context().close();
    await close();
  }
});

test("the network worker fetches from the cloud's origins only", async () => {
  const { site, close } = await signedInSite(SCENARIO);
  const { page } = await watchedPage(browser);
  const elsewhere = [];
  page.on('request', (r) => { if (r.url().startsWith('http://127.0.0.2')) elsewhere.push(r.url()); });
  try {
    await signInAndLoad(page, site);
    const worker = page.workers().find((w) => w.url().endsWith('/network-worker.js'));
    // A call to another origin, as a bug in the app (or a hostile nextLink it let through)
    // would make: the worker answers with a refusal and sends nothing.
    const answers = await worker.evaluate(async () => {
      const seen = [];
      const post = self.postMessage;
      // The app's own answers go on to the page; the test's call's answer is kept here.
      self.postMessage = (message, transfer) => {
        seen.push(...message.filter((a) => a.id === 999999));
        post.call(self, message.filter((a) => a.id !== 999999), transfer);
      };
      self.onmessage({ data: { calls: JSON.stringify([{
        id: 999999, method: 'GET', url: 'http://127.0.0.2:9/subscriptions?api-version=2022-12-01',
        headers: [['Authorization', 'Bearer stolen']], body: '', timeoutMs: 5000,
      }]) } });
      await new Promise((ok) => setTimeout(ok, 500));
      self.postMessage = post;
      return seen;
    });
    assert.equal(answers.length, 1);
    assert.equal(answers[0].id, 999999);
    assert.match(answers[0].error, /http:\/\/127\.0\.0\.2:9 is not an origin of this app's cloud/);
    assert.deepEqual(elsewhere, []);
  } finally {
    await page.context().close();
    await close();
  }
});

test('a site without network-worker.js still signs in and loads the overview, from the page', async () => {
  const { site, fake, close } = await signedInSite(SCENARIO, { '/network-worker.js': null });
  const { page } = await watchedPage(browser);
  try {
    await signInAndLoad(page, site);
    assert.equal(page.workers().filter((w) => w.url().endsWith('/network-worker.js')).length, 0);
    assert.ok(await fromThePage(page, fake.origin) > 3, 'the page made the requests itself');
    await page.getByRole('link', { name: 'Contoso Retail – EU' }).waitFor();
  } finally {
    await page.context().close();
    await close();
  }
});
