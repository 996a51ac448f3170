// The session, the log and the page (issue 9, section 5): leaving a page aborts its requests,
// a request that gets no answer in time says so and can be retried, the audit log is kept per
// tenant session (the demo's apart), sign-out offers the log's export and reaches Entra with
// the redirect URI and the login hint, and the shipped index.html allows no loopback origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, dist } from './harness.mjs';

const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const HOME = '6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31';
const OTHER = 'b2e7a9c4-1d3f-4e6a-8c5b-7f9d0e1a2b34';
const ALPHA = '0a1fa000-0000-4000-8000-000000000001';
const BETA = '0b2eb000-0000-4000-8000-000000000002';

/** A subscription the user may change, Partial (WDATP on, unified solution off) with P2. */
function subscription(id, tenantId, displayName) {
  const setting = (name, enabled) => ({
    id: `/subscriptions/${id}/providers/Microsoft.Security/settings/${name}`, name,
    type: 'Microsoft.Security/settings', kind: 'DataExportSettings', properties: { enabled },
  });
  return {
    subscription: { id: `/subscriptions/${id}`, subscriptionId: id, tenantId, displayName, state: 'Enabled' },
    settings: [setting('WDATP', true), setting('WDATP_UNIFIED_SOLUTION', false)],
    pricings: [{ id: `/subscriptions/${id}/providers/Microsoft.Security/pricings/VirtualMachines`, name: 'VirtualMachines',
      type: 'Microsoft.Security/pricings', properties: { pricingTier: 'Standard', subPlan: 'P2' } }],
    permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
  };
}

/** Two tenants, one subscription in each. */
const SCENARIO = {
  name: 'Two tenants',
  user: { name: 'Avery Admin', username: 'avery@contoso.example' },
  tenants: [
    { id: `/tenants/${HOME}`, tenantId: HOME, displayName: 'Contoso', defaultDomain: 'contoso.example', tenantCategory: 'Home' },
    { id: `/tenants/${OTHER}`, tenantId: OTHER, displayName: 'Fabrikam Labs', defaultDomain: 'fabrikam.example', tenantCategory: 'Home' },
  ],
  subscriptions: [subscription(ALPHA, HOME, 'Contoso Alpha'), subscription(BETA, OTHER, 'Fabrikam Beta')],
};

const scenarioFile = path.join(os.tmpdir(), `mde-e2e-session-${process.pid}.json`);
let browser;
const started = [];

before(async () => {
  fs.writeFileSync(scenarioFile, JSON.stringify(SCENARIO));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const stop of started) await stop();
  fs.rmSync(scenarioFile, { force: true });
});

/** A site and its fake Azure (started with `fakeArgs`), configured with `config` (or what it
 * gives for the site's origin). */
async function tenantSite(fakeArgs = [], config = {}) {
  const overrides = {};
  const site = await serveSite(overrides);
  const fake = await startFakeAzure(['--scenario', scenarioFile, '--app-origin', site.origin, '--auto-approve', ...fakeArgs]);
  overrides['/config.json'] = JSON.stringify({
    clientId: CLIENT_ID,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
    ...(typeof config === 'function' ? config(site.origin) : config),
  });
  started.push(async () => { fake.stop(); await site.close(); });
  return { site, fake };
}

/** Opens `path` of the site, signing in on the way (the fake approves at once). */
async function signInAt(page, site, where) {
  await page.goto(`${site.origin}${where}`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${site.origin}${where}`);
}

/** Fixes a Partial subscription from its page, and waits for Azure's read-back. */
async function fix(page, name) {
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Fix' }).click();
  await page.getByRole('dialog', { name: 'Fix this subscription?' }).getByRole('button', { name: 'Apply' }).click();
  await page.getByText('Azure now reports WDATP_UNIFIED_SOLUTION = true.').waitFor();
}

/** The audit page's rows: [subscription, setting] per change. */
async function auditRows(page) {
  await page.getByRole('heading', { name: /^Audit log of / }).waitFor();
  return page.$$eval('table.audit tbody tr', (trs) => trs.map((r) => [r.querySelector('th').textContent, r.children[3].textContent]));
}

/** Polls `done` every 20 ms for at most `ms`. */
async function until(done, ms = 10_000) {
  for (const end = Date.now() + ms; !done(); await new Promise((ok) => setTimeout(ok, 20))) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${done}`);
  }
}

const isArm = (url, fake) => url.startsWith(fake.origin) && !url.includes('/oauth2/');

test('leaving a subscription page aborts its requests in flight and starts no more', async (t) => {
  const { site, fake } = await tenantSite(['--latency-ms', '1500']);
  const { page, context } = await watchedPage(t, browser);
  try {
    const requested = [], aborted = [];
    page.on('request', (r) => { if (isArm(r.url(), fake) && r.method() !== 'OPTIONS') requested.push(r.url()); });
    page.on('requestfailed', (r) => { if (isArm(r.url(), fake)) aborted.push([r.url(), r.failure()?.errorText]); });
    await signInAt(page, site, `/tenants/${HOME}/subscriptions/${ALPHA}`);
    // The subscription has been read (1.5 s); its settings, plan, permissions and security
    // connectors are on their way.
    const inFlight = () => requested.filter((u) => u.includes(`/subscriptions/${ALPHA}/providers/`));
    await until(() => inFlight().length === 4);
    const leaving = inFlight();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log of this tenant' }).waitFor();
    const left = requested.length;
    // The fake holds each answer 1.5 s: it sees each client hang up before then, and says so.
    const abandoned = () => fake.log.filter((l) => l.startsWith('GET ') && l.includes(`/subscriptions/${ALPHA}/providers/`))
      .map((l) => [l.split(' ')[1], l.split(' ')[3]]);
    await until(() => abandoned().length === leaving.length);
    assert.deepEqual(abandoned().map(([target]) => `${fake.origin}${target}`).sort(), [...leaving].sort(),
      'the fake saw each request in flight and none answered');
    assert.ok(abandoned().every(([, outcome]) => outcome === 'abandoned'), abandoned().join('\n'));
    await until(() => aborted.length >= leaving.length);
    assert.deepEqual(aborted.map(([u]) => u).sort(), [...leaving].sort(), 'the page saw every request in flight aborted');
    assert.ok(aborted.every(([, why]) => why === 'net::ERR_ABORTED'), JSON.stringify(aborted));
    // No answer ever came to the page, so nothing could follow one.
    assert.deepEqual(requested.slice(left), [], 'no request started after leaving');
    // The fake saw nothing the page did not start (CORS preflights aside, which the page never sees).
    const seen = fake.log.filter((l) => l.startsWith('GET ') && l.includes(`/subscriptions/${ALPHA}`)).map((l) => l.split(' ')[1]);
    const started = requested.filter((u) => u.includes(`/subscriptions/${ALPHA}`)).map((u) => u.slice(fake.origin.length));
    assert.ok(seen.every((target) => started.includes(target)), `${seen.join('\n')}\nvs\n${started.join('\n')}`);
  } finally {
    await context.close();
  }
});

test('a request with no answer in time says so, and Retry reads again', { timeout: 90_000 }, async (t) => {
  // The first five requests to the subscription (the client's five attempts) are held 30 s.
  const { site, fake } = await tenantSite(['--hang-first', '5', '--hang-ms', '30000'], { requestTimeoutMs: 1000 });
  const { page, context } = await watchedPage(t, browser);
  try {
    await signInAt(page, site, `/tenants/${HOME}/subscriptions/${ALPHA}`);
    const alert = page.getByRole('alert').filter({ hasText: 'The subscription could not be read' });
    await alert.waitFor({ timeout: 40_000 });
    assert.match(await alert.textContent(), /No answer from Azure: nothing came back within 1 s/);
    // The fake saw the client give up on each attempt; none was answered.
    const held = () => fake.log.filter((l) => l.startsWith(`GET /subscriptions/${ALPHA}?`)).map((l) => l.split(' ')[3]);
    await until(() => held().length === 5);
    assert.deepEqual(held(), Array(5).fill('abandoned'));
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { name: 'Contoso Alpha', level: 1 }).waitFor();
    await page.locator('.facts').getByText('Partial', { exact: true }).waitFor();
  } finally {
    await context.close();
  }
});

test('the audit log is kept per tenant session, and the demo keeps its own', { timeout: 90_000 }, async (t) => {
  const { site } = await tenantSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await signInAt(page, site, `/tenants/${HOME}/subscriptions/${ALPHA}`);
    await fix(page, 'Contoso Alpha');
    await page.goto(`${site.origin}/tenants/${OTHER}/subscriptions/${BETA}`);
    await fix(page, 'Fabrikam Beta');
    await page.getByRole('link', { name: 'Audit log' }).click();
    assert.deepEqual(await auditRows(page), [['Fabrikam Beta', 'WDATP_UNIFIED_SOLUTION']]);
    assert.match(await page.locator('p.tenant').textContent(), new RegExp(OTHER));
    await page.goto(`${site.origin}/tenants/${HOME}/audit`);
    assert.deepEqual(await auditRows(page), [['Contoso Alpha', 'WDATP_UNIFIED_SOLUTION']]);
    const row = await page.locator('table.audit tbody tr').textContent();
    assert.match(row, /200 OK/);
    assert.match(row, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*[0-9a-f]{8}-/, 'ARM request and correlation ids');
    // The demo's log holds neither, and its own change stays out of the tenants' logs.
    await page.goto(`${site.origin}/try/audit`);
    assert.deepEqual(await auditRows(page), []);
    await page.goto(`${site.origin}/try`);
    await page.getByRole('link', { name: 'Contoso Dev/Test' }).click();
    await fix(page, 'Contoso Dev/Test');
    await page.getByRole('link', { name: 'Audit log' }).click();
    assert.deepEqual(await auditRows(page), [['Contoso Dev/Test', 'WDATP_UNIFIED_SOLUTION']]);
    await page.goto(`${site.origin}/tenants/${HOME}/audit`);
    assert.deepEqual(await auditRows(page), [['Contoso Alpha', 'WDATP_UNIFIED_SOLUTION']]);
    // Sign-out counts the tenant sessions' changes, not the demo's.
    await page.getByRole('button', { name: 'Sign out' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out?' });
    assert.match(await dialog.textContent(), /holds 2 changes made in 2 tenants\./);
  } finally {
    await context.close();
  }
});

test('sign-out says how many changes the log holds, offers the export first, and sends the redirect URI and the login hint', { timeout: 60_000 }, async (t) => {
  // A redirect URI that is not the bare origin, to tell the two apart.
  const { site, fake } = await tenantSite([], (origin) => ({ redirectUri: `${origin}/?from=entra` }));
  const { page, context } = await watchedPage(t, browser);
  try {
    await signInAt(page, site, `/tenants/${HOME}/subscriptions/${ALPHA}`);
    await fix(page, 'Contoso Alpha');
    const account = await page.evaluate((tenant) => JSON.parse(sessionStorage.getItem(`mde.tokens.${tenant}`)).account, HOME);
    assert.ok(account.login_hint, 'the id_token carried the login_hint claim');
    const signOut = page.getByRole('button', { name: 'Sign out' });
    await signOut.click();
    const dialog = page.getByRole('dialog', { name: 'Sign out?' });
    assert.match(await dialog.textContent(), /The audit log of this session holds 1 change made in 1 tenant\./);
    // Focus starts on the export; Escape cancels and gives the focus back.
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Export the log');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Sign out');
    await signOut.click();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export the log' }).click()]);
    assert.equal(download.suggestedFilename(), 'mde-console-audit.csv');
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    assert.equal(csv.length, 2, csv.join('\n'));
    assert.match(csv[0], /^time,tenantId,user,/);
    assert.match(csv[1], new RegExp(`,${HOME},avery@contoso\\.example,${ALPHA},Contoso Alpha,WDATP_UNIFIED_SOLUTION,false,true,true,PUT ${fake.origin}/subscriptions/`));
    assert.match(csv[1], /,200,,,[0-9a-f-]{36},[0-9a-f-]{36}$/);
    await dialog.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${site.origin}/?from=entra`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    const logout = fake.log.find((l) => l.startsWith('GET /organizations/oauth2/v2.0/logout?'));
    assert.ok(logout, fake.log.join('\n'));
    const query = new URL(logout.split(' ')[1], fake.origin).searchParams;
    assert.equal(query.get('post_logout_redirect_uri'), `${site.origin}/?from=entra`);
    assert.equal(query.get('logout_hint'), account.login_hint);
    assert.notEqual(query.get('logout_hint'), account.username, 'never the UPN');
  } finally {
    await context.close();
  }
});

test('the shipped index.html allows no loopback origin in connect-src', () => {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)[1];
  const connect = policy.split(';').map((d) => d.trim().split(/\s+/)).find(([name]) => name === 'connect-src').slice(1);
  assert.deepEqual(connect, [
    "'self'", 'https://login.microsoftonline.com', 'https://management.azure.com', 'https://login.microsoftonline.us',
    'https://management.usgovcloudapi.net', 'https://login.chinacloudapi.cn', 'https://management.chinacloudapi.cn',
  ]);
});
