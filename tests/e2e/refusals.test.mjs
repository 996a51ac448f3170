// Azure's refusals of an allowed change, each produced by the fake as ARM words it and each
// shown on the page with its own advice; a provider that is not registered is registered
// from the page; and an access token revoked early is renewed without the page noticing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, openSubscription, advanceFakeClock } from './harness.mjs';

const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const TENANT = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const OWNER = [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }];
/** ARM stops taking an access token this long after it was issued, whatever its expiry said. */
const REVOKED_AFTER_MS = 10 * 60_000;

/** A subscription whose integration is off on Defender for Servers P2, owned by the user. */
function subscription(n, name, state, extra = {}) {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const sub = `/subscriptions/${id}`;
  return {
    subscription: { id: sub, subscriptionId: id, tenantId: TENANT, displayName: name, state },
    settings: [{ id: `${sub}/providers/Microsoft.Security/settings/WDATP`, name: 'WDATP', type: 'Microsoft.Security/settings', kind: 'DataExportSettings', properties: { enabled: false } }],
    pricings: [{ id: `${sub}/providers/Microsoft.Security/pricings/VirtualMachines`, name: 'VirtualMachines', type: 'Microsoft.Security/pricings', properties: { pricingTier: 'Standard', subPlan: 'P2' } }],
    permissions: OWNER,
    ...extra(sub),
  };
}

const scenario = {
  name: 'Refusals',
  user: { name: 'Avery Admin', username: 'avery@contoso.example' },
  tenants: [{ id: `/tenants/${TENANT}`, tenantId: TENANT, displayName: 'Contoso', defaultDomain: 'contoso.example' }],
  subscriptions: [
    subscription(1, 'Locked by IT', 'Enabled', (sub) => ({ locks: [{
      id: `${sub}/providers/Microsoft.Authorization/locks/change-freeze`, name: 'change-freeze', type: 'Microsoft.Authorization/locks',
      properties: { level: 'ReadOnly', notes: 'Year-end change freeze' } }] })),
    subscription(2, 'Under policy', 'Enabled', (sub) => ({ policyDenials: [{
      assignment: { id: `${sub}/providers/Microsoft.Authorization/policyAssignments/freeze-defender`, name: 'freeze-defender',
        type: 'Microsoft.Authorization/policyAssignments',
        properties: { displayName: 'Freeze Defender settings', policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/deny-security', scope: sub } },
      denies: ['Microsoft.Security/settings/write'] }] })),
    subscription(3, 'Linked workspace', 'Enabled', () => ({
      linkedAuthorizationFailures: [{ action: 'Microsoft.Security/settings/write',
        linkedScope: '/subscriptions/99999999-0000-4000-8000-000000000000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/soc-law',
        linkedAction: 'Microsoft.OperationalInsights/workspaces/sharedKeys/action' }],
      permissions: [{ actions: ['Microsoft.Security/*', '*/read'], notActions: [] }] })),
    subscription(4, 'Never registered', 'Enabled', () => ({ unregisteredProviders: ['Microsoft.Security'] })),
    subscription(5, 'Expired trial', 'Expired', () => ({})),
    subscription(6, 'Past due but working', 'PastDue', () => ({})),
  ],
};

let browser, site, fake, dir;
const overrides = {};

before(async () => {
  browser = await launch();
  site = await serveSite(overrides);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-refusals-'));
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  // Hour-long tokens, as Entra issues them, that ARM stops taking after 10 minutes (revoked
  // early): a test moves the fake's clock on to meet that (`--witness`).
  fake = await startFakeAzure(['--scenario', file, '--app-origin', site.origin, '--auto-approve', '--lro-ms', '1500',
    '--revoke-access-after-ms', String(REVOKED_AFTER_MS), '--witness']);
  overrides['/config.json'] = JSON.stringify({
    clientId: CLIENT_ID,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
});
after(async () => { await browser?.close(); fake?.stop(); await site?.close(); fs.rmSync(dir, { recursive: true, force: true }); });


/** Turns the integration on through the confirm dialog; resolves to what the page says failed. */
async function turnOnAndReadFailure(page) {
  await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
  const failure = page.locator('.results .failed');
  await failure.waitFor();
  return failure.textContent();
}

for (const [name, code, advice] of [
  ['Locked by IT', '409 ScopeLocked',
    /A resource lock forbids changes at '\/subscriptions\/00000000-0000-4000-8000-000000000001'\. Someone with Owner or User Access Administrator \(Microsoft\.Authorization\/locks\/delete\) must remove the lock first/],
  ['Under policy', '403 RequestDisallowedByPolicy',
    /The Azure Policy assignment 'Freeze Defender settings' denies this change\. Ask your policy owner for an exemption/],
  ['Linked workspace', '403 LinkedAuthorizationFailed',
    /needs a permission on a linked resource \(\/subscriptions\/99999999-0000-4000-8000-000000000000\/resourceGroups\/soc\/providers\/Microsoft\.OperationalInsights\/workspaces\/soc-law\)/],
]) {
  test(`${code} is shown with its own advice, and nothing changes`, async (t) => {
    const { page, context } = await watchedPage(t, browser);
    const puts = [];
    page.on('response', (r) => { if (r.request().method() === 'PUT') puts.push(r.status()); });
    try {
      await openSubscription(page, site.origin, name);
      const text = await turnOnAndReadFailure(page);
      assert.match(text, new RegExp(code));
      assert.match(text, advice);
      assert.equal(puts.length, 1, 'a refusal that waiting cannot clear is not retried');
      await page.locator('.facts').getByText('Off', { exact: true }).waitFor();
    } finally {
      await context.close();
    }
  });
}

test('an Expired subscription is read-only and says why; a PastDue one takes the change', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await openSubscription(page, site.origin, 'Expired trial');
    assert.equal(await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).isDisabled(), true);
    await page.getByText(/The subscription has Expired: Azure keeps it read-only; renew or reactivate it in Cost Management \+ Billing first\./).first().waitFor();
    await page.getByRole('link', { name: '← All subscriptions' }).click();
    await page.getByRole('link', { name: 'Past due but working' }).click();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Azure now reports WDATP = true.').waitFor();
  } finally {
    await context.close();
  }
});

test('a subscription without Microsoft.Security registered offers the registration, then works', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'could not be read' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /409 MissingSubscriptionRegistration: The subscription is not registered to use namespace 'Microsoft\.Security'.*Register it/);
    await page.getByRole('link', { name: 'Never registered' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'The subscription could not be read' });
    await problem.waitFor();
    await page.getByRole('button', { name: 'Register Microsoft.Security' }).click();
    await page.getByText(/Registering Microsoft\.Security…/).waitFor();
    // Azure registers it (1.5 s here); the page reads the subscription again by itself.
    await page.getByRole('heading', { name: 'Never registered', level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).waitFor({ timeout: 20000 });
    const log = fake.log.join('\n');
    assert.match(log, /POST \/subscriptions\/00000000-0000-4000-8000-000000000004\/providers\/Microsoft\.Security\/register\?api-version=2021-04-01 -> 200/);
  } finally {
    await context.close();
  }
});

test('an access token ARM stops taking early is renewed and the call retried: the page never notices', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  const refused = [];
  const tokenCalls = [];
  page.on('response', (r) => { if (r.status() === 401) refused.push(r.url()); });
  page.on('request', (r) => { if (r.url().includes('/oauth2/v2.0/token')) tokenCalls.push(r.postData() ?? ''); });
  try {
    await openSubscription(page, site.origin, 'Past due but working');
    await page.locator('.facts').getByText('P2', { exact: true }).waitFor();
    assert.deepEqual(refused, [], 'the fresh token was taken');
    // Ten minutes on for ARM: it no longer takes the token, which the page holds valid for 50 more.
    await advanceFakeClock(fake, REVOKED_AFTER_MS);
    await page.getByRole('link', { name: '← All subscriptions' }).click();
    await page.getByRole('link', { name: 'Locked by IT' }).click();
    await page.getByRole('heading', { name: 'Locked by IT', level: 1 }).waitFor();
    await page.locator('.facts').getByText('P2', { exact: true }).waitFor();
    assert.ok(refused.length >= 1, 'ARM refused the revoked token');
    const refreshes = tokenCalls.filter((body) => body.includes('grant_type=refresh_token'));
    assert.equal(refreshes.length, 1, `one renewal for every refused call: ${refreshes.length}`);
    assert.equal(await page.getByText(/sign in again/i).count(), 0, 'no sign-in banner');
  } finally {
    await context.close();
  }
});
