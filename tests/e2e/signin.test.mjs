// Sign-in end to end: the release site and the fake Entra ID + ARM server on two loopback
// origins, so the browser's cross-origin rules and the CSP apply as they would in Azure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, advanceFakeClock, root } from './harness.mjs';

const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const HOME_TENANT = '6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31';
/** An access token's life, as Entra ID gives it (the fake's default). */
const HOUR_MS = 3_600_000;
let browser, site, fake;
const overrides = {};

before(async () => {
  browser = await launch();
  site = await serveSite(overrides);
  fake = await startFakeAzure([
    '--scenario', path.join(root, 'public/demo/scenario.json'),
    '--app-origin', site.origin, '--witness',
  ]);
  overrides['/config.json'] = JSON.stringify({
    clientId: CLIENT_ID,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
});
after(async () => { await browser?.close(); fake?.stop(); await site?.close(); });

/** From the start page through the fake's sign-in page, back to the overview. */
async function signIn(page) {
  await page.goto(`${site.origin}/`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${fake.origin}/**`);
  await page.getByRole('link', { name: /Sign in as Avery Admin/ }).click();
  await page.waitForURL(`${site.origin}/tenants/**`);
  await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
}

test('sign-in through Entra ID with PKCE lands on the overview and leaves no code behind', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  const callbacks = [];
  const demoFiles = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.url().includes('code=')) callbacks.push(r.url());
    if (r.url().includes('/demo-tenant') || r.url().includes('/demo/')) demoFiles.push(r.url());
  });
  try {
    await signIn(page);
    assert.equal(callbacks.length, 1, 'Entra sent the browser back once with a code');
    assert.ok(!page.url().includes('code='), `address bar still holds the code: ${page.url()}`);
    assert.ok(page.url().endsWith(`/tenants/${HOME_TENANT}`));
    await page.getByText('Avery Admin').waitFor();
    await page.getByRole('rowheader', { name: 'Contoso Retail – EU', exact: true }).waitFor();
    const storage = await page.evaluate(() => ({
      local: localStorage.length,
      session: Object.keys(sessionStorage),
      history: history.length,
    }));
    assert.equal(storage.local, 0, 'nothing in localStorage');
    assert.ok(storage.session.some((k) => k.startsWith('mde.tokens.')), `tokens in sessionStorage: ${storage.session}`);
    assert.ok(!storage.session.includes('mde.pending'), 'the pending sign-in is used up');
    assert.deepEqual(demoFiles, [], 'a signed-in admin downloads no part of the demo tenant');

    // The same answer again (a replayed code and state) is refused: its state was used once.
    await page.goto(callbacks[0]);
    await page.getByRole('alert').filter({ hasText: 'not expected' }).waitFor();
    assert.ok(!page.url().includes('code='));
  } finally {
    await context.close();
  }
});

test('a tampered state is refused and nothing is stored', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${fake.origin}/**`);
    // Let the fake answer, but change the state on its way back to the app.
    await page.route((url) => url.origin === fake.origin && url.searchParams.has('fake_approve'), async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      const back = new URL(answer.headers().location);
      back.searchParams.set('state', 'forged-by-an-attacker');
      return route.fulfill({ status: 302, headers: { location: back.toString() } });
    });
    await page.getByRole('link', { name: /Sign in as Avery Admin/ }).click();
    await page.getByRole('alert').filter({ hasText: 'state mismatch' }).waitFor();
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    assert.deepEqual(keys.filter((k) => k.startsWith('mde.tokens')), []);
    assert.ok(!page.url().includes('code='));
  } finally {
    await context.close();
  }
});

test('an access token an hour old is renewed before it is sent, and the page goes on', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  const refused = [];
  page.on('response', (r) => { if (r.status() === 401) refused.push(r.url()); });
  try {
    await page.clock.install();
    await signIn(page);
    // Every row read.
    const loaded = () => page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
      && !/loading|listing/.test(document.querySelector('.summary').textContent));
    await loaded();
    const token = () => page.evaluate((tenant) => JSON.parse(sessionStorage.getItem(`mde.tokens.${tenant}`)).access_token, HOME_TENANT);
    const before = await token();
    // An hour on for Entra ID and ARM, then for the (idle) page: the token has expired. (The
    // page's first would let it renew meanwhile, from a fake that holds the new token good
    // for an hour from its own time, an hour behind.)
    await advanceFakeClock(fake, HOUR_MS);
    await page.clock.setSystemTime(Date.now() + HOUR_MS);
    // A read still under way meanwhile (the security connectors come last) may have been
    // refused and renewed: what counts is what the page sends once it knows the hour passed.
    refused.length = 0;
    await page.reload();
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    await loaded();
    assert.notEqual(await token(), before, 'a new access token was obtained');
    assert.deepEqual(refused, [], 'the expired token was never sent after the reload: ARM refused nothing');
    assert.equal(await page.getByRole('button', { name: 'Sign in again' }).count(), 0);
    assert.equal(await page.locator('table.subscriptions .failed').count(), 0, 'no row failed');
  } finally {
    await context.close();
  }
});

test('the tenant picker switches tenant with a token from that tenant', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await signIn(page);
    await page.getByLabel('Tenant').selectOption({ label: 'Fabrikam Labs' });
    await page.waitForURL(`${site.origin}/tenants/b2e7a9c4-1d3f-4e6a-8c5b-7f9d0e1a2b34`);
    await page.getByText('No subscriptions: your account cannot see any subscription in this tenant.').waitFor();
    const keys = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('mde.tokens.')).sort());
    assert.deepEqual(keys, ['mde.tokens.6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31', 'mde.tokens.b2e7a9c4-1d3f-4e6a-8c5b-7f9d0e1a2b34']);
  } finally {
    await context.close();
  }
});

test('sign-out clears sessionStorage and goes through the logout endpoint', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await signIn(page);
    const visited = [];
    page.on('request', (r) => { if (r.isNavigationRequest()) visited.push(r.url()); });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    assert.ok(visited.some((u) => u.startsWith(`${fake.origin}/organizations/oauth2/v2.0/logout`)), visited.join('\n'));
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  } finally {
    await context.close();
  }
});

test('a new interactive sign-in drops every token the tab kept of an earlier account', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await signIn(page);
    // What an earlier account would have left: its tokens for a tenant of its own. Then the
    // tab is signed out of its home tenant only (as after that account's session ended).
    const leftover = 'mde.tokens.0d3f7f0e-5c1a-4a3b-9e2d-8f6a7b5c4d3e';
    await page.evaluate((key) => {
      const home = sessionStorage.getItem('mde.home');
      const mine = JSON.parse(sessionStorage.getItem(`mde.tokens.${JSON.parse(home)}`));
      const theirs = { ...mine, access_token: 'earlier-account', tenant_id: key.slice('mde.tokens.'.length),
        account: { ...mine.account, username: 'earlier@fabrikam.example', object_id: 'earlier' } };
      sessionStorage.setItem(key, JSON.stringify(theirs));
      sessionStorage.removeItem(`mde.tokens.${JSON.parse(home)}`);
      sessionStorage.removeItem('mde.home');
    }, leftover);
    await signIn(page);
    const keys = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('mde.tokens.')));
    assert.deepEqual(keys, [`mde.tokens.${HOME_TENANT}`], 'only the new sign-in\'s tokens are kept');
  } finally {
    await context.close();
  }
});

test('sign-out in one tab clears the tokens of the site\'s other tabs', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await signIn(page);
    const other = await context.newPage();
    await signIn(other); // its own sessionStorage, its own tokens
    const tokensIn = (p) => p.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('mde.tokens.')).length);
    assert.ok(await tokensIn(other) > 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${site.origin}/`);
    await other.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    assert.equal(await tokensIn(other), 0, 'the other tab still holds tokens');
  } finally {
    await context.close();
  }
});

test('an address naming a tenant that is not the user\'s asks first, naming it, before any token goes there', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  const stranger = '0d3f7f0e-5c1a-4a3b-9e2d-8f6a7b5c4d3e';
  const toStranger = () => fake.log.filter((line) => line.includes(`/${stranger}/oauth2/v2.0/token`));
  try {
    await signIn(page);
    // A listed tenant opens at once (the picker's way); a link to another one stops first.
    await page.goto(`${site.origin}/tenants/${stranger}/machines`);
    const question = page.getByRole('alert').filter({ hasText: `"${stranger}"` });
    await question.waitFor();
    assert.match(await question.textContent(), /not one of the tenants your account lists/);
    assert.deepEqual(toStranger(), [], 'the refresh token went to the tenant in the address unasked');
    // The user's answer: open it anyway.
    await question.getByRole('button', { name: 'Retry' }).click();
    for (let i = 0; i < 50 && !toStranger().length; i += 1) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(toStranger().length, 1, fake.log.join('\n'));
  } finally {
    await context.close();
  }
});

test('cancelling at Entra ID says so and stores nothing', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in was cancelled or refused' }).waitFor();
    assert.ok(!page.url().includes('error='), 'the error left the address bar');
    assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);
  } finally {
    await context.close();
  }
});

test('a crafted link with an error and words of its own gets a neutral sentence', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    const words = 'AADSTS50011: Your account is locked. Call +1 555 0100 to unlock it.';
    await page.goto(`${site.origin}/?error=access_denied&error_description=${encodeURIComponent(words)}&state=made-up`);
    await page.getByRole('alert').filter({ hasText: 'The sign-in was not completed. Sign in again.' }).waitFor();
    assert.equal(await page.getByText(/Call \+1 555/).count(), 0, 'the link\'s words are not shown');
    assert.ok(!page.url().includes('error='), 'the error left the address bar');
  } finally {
    await context.close();
  }
});

test('with tokenStore "memory" no token reaches sessionStorage', async (t) => {
  const saved = overrides['/config.json'];
  overrides['/config.json'] = JSON.stringify({ ...JSON.parse(saved), tokenStore: 'memory' });
  const { page, context } = await watchedPage(t, browser);
  try {
    await signIn(page);
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    assert.deepEqual(keys.filter((k) => k.includes('tokens')), []);
  } finally {
    overrides['/config.json'] = saved;
    await context.close();
  }
});

test('in Azure China the page says the integration is not supported there', async (t) => {
  const china = await serveSite({ '/config.json': JSON.stringify({ clientId: CLIENT_ID, cloud: 'AzureChinaCloud' }) });
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${china.origin}/`);
    await page.getByRole('note').filter({ hasText: 'not supported in Azure China (21Vianet)' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
  } finally {
    await context.close();
    await china.close();
  }
});

test('a wrong config.json names the key and how to fix it', async (t) => {
  const bad = await serveSite({ '/config.json': '{"clientId":"my-app","cloud":"AzureCloud"}' });
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${bad.origin}/`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    assert.match(text, /clientId/);
    assert.match(text, /Application \(client\) ID/);
  } finally {
    await context.close();
    await bad.close();
  }
});
