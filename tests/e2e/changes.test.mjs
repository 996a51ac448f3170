// The overview's statuses for every combination of settings and plan, and changes made on
// the subscription page: Fix, read-only refusals, and Azure's failures (429, 409, 403).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, openSubscription, root } from './harness.mjs';
import { everyRow } from './rows.mjs';

const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
let browser, site, fake;
const overrides = {};

before(async () => {
  browser = await launch();
  site = await serveSite(overrides);
  fake = await startFakeAzure([
    '--scenario', path.join(root, 'public/demo/scenario.json'), '--app-origin', site.origin, '--auto-approve',
  ]);
  overrides['/config.json'] = JSON.stringify({
    clientId: CLIENT_ID,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
});
after(async () => { await browser?.close(); fake?.stop(); await site?.close(); });

/**
 * The seed's rules, written out for every combination (u = setting missing, f = false, t = true)
 * of WDATP, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW and WDATP_UNIFIED_SOLUTION: the status with
 * Defender for Servers P1/P2. A missing Linux or unified setting means "included" (newer
 * subscriptions); without a plan, any WDATP-on status is "On — no plan".
 */
const WITH_PLAN = {
  'u u u': 'Off', 'u u f': 'Off', 'u u t': 'Off', 'u f u': 'Off', 'u f f': 'Off', 'u f t': 'Off', 'u t u': 'Off', 'u t f': 'Off', 'u t t': 'Off',
  'f u u': 'Off', 'f u f': 'Off', 'f u t': 'Off', 'f f u': 'Off', 'f f f': 'Off', 'f f t': 'Off', 'f t u': 'Off', 'f t f': 'Off', 'f t t': 'Off',
  't u u': 'On', 't u f': 'Partial', 't u t': 'On', 't f u': 'On', 't f f': 'Partial', 't f t': 'On', 't t u': 'Partial', 't t f': 'Partial', 't t t': 'Partial',
};
const WITHOUT_PLAN = {
  'u u u': 'Off', 'u u f': 'Off', 'u u t': 'Off', 'u f u': 'Off', 'u f f': 'Off', 'u f t': 'Off', 'u t u': 'Off', 'u t f': 'Off', 'u t t': 'Off',
  'f u u': 'Off', 'f u f': 'Off', 'f u t': 'Off', 'f f u': 'Off', 'f f f': 'Off', 'f f t': 'Off', 'f t u': 'Off', 'f t f': 'Off', 'f t t': 'Off',
  't u u': 'On — no plan', 't u f': 'On — no plan', 't u t': 'On — no plan', 't f u': 'On — no plan', 't f f': 'On — no plan',
  't f t': 'On — no plan', 't t u': 'On — no plan', 't t f': 'On — no plan', 't t t': 'On — no plan',
};
const letter = (v) => (v === undefined ? 'u' : v ? 't' : 'f');

test('every combination of the three settings and the plan shows the status the portal would', async (t) => {
  const values = [undefined, false, true];
  const plans = [null, ['Free'], ['Standard', 'P1'], ['Standard', 'P2']];
  const subscriptions = [];
  const expected = {};
  let n = 0;
  for (const wdatp of values) for (const exclude of values) for (const unified of values) for (const plan of plans) {
    const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const name = `W=${wdatp} X=${exclude} U=${unified} plan=${plan ? plan.join('/') : 'none'}`;
    const settings = [['WDATP', wdatp], ['WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW', exclude], ['WDATP_UNIFIED_SOLUTION', unified]]
      .filter(([, v]) => v !== undefined)
      .map(([s, v]) => ({ id: `/subscriptions/${id}/providers/Microsoft.Security/settings/${s}`, name: s, type: 'Microsoft.Security/settings', kind: 'DataExportSettings', properties: { enabled: v } }));
    const pricings = plan ? [{ id: `/subscriptions/${id}/providers/Microsoft.Security/pricings/VirtualMachines`, name: 'VirtualMachines', type: 'Microsoft.Security/pricings',
      properties: { pricingTier: plan[0], ...(plan[1] ? { subPlan: plan[1] } : {}) } }] : [];
    subscriptions.push({
      subscription: { id: `/subscriptions/${id}`, subscriptionId: id, tenantId: '6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31', displayName: name, state: 'Enabled' },
      settings, pricings, permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
    });
    const key = `${letter(wdatp)} ${letter(exclude)} ${letter(unified)}`;
    const paid = plan && plan[0] === 'Standard';
    expected[name] = [plan ? (plan[1] ?? 'Off') : 'Off', (paid ? WITH_PLAN : WITHOUT_PLAN)[key]];
  }
  const demo = await serveSite({ '/demo/scenario.json': JSON.stringify({ name: 'Every combination', subscriptions }) });
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${demo.origin}/try`);
    await page.getByRole('status').filter({ hasText: '108 subscriptions:' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('table.subscriptions .pending')
      && !document.querySelector('.summary').textContent.includes('loading'), null, { timeout: 30000 });
    // The table renders the rows in view: scroll through it to read all 108.
    const rows = Object.fromEntries(Object.entries(await everyRow(page)).map(([name, c]) => [name, [c[2], c[3]]]));
    assert.deepEqual(rows, expected);
  } finally {
    await context.close();
    await demo.close();
  }
});

/** Reads a setting straight from the fake server, as the signed-in user. */
async function settingOnServer(page, subscriptionName, setting) {
  const token = await page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('mde.tokens.'));
    return JSON.parse(sessionStorage.getItem(key)).access_token;
  });
  const headers = { Authorization: `Bearer ${token}` };
  const subs = await (await fetch(`${fake.origin}/subscriptions?api-version=2022-12-01`, { headers })).json();
  const sub = subs.value.find((s) => s.displayName === subscriptionName);
  const answer = await fetch(`${fake.origin}/subscriptions/${sub.subscriptionId}/providers/Microsoft.Security/settings/${setting}?api-version=2022-05-01`, { headers });
  return (await answer.json()).properties.enabled;
}

test('Fix turns a Partial subscription On, verified by reading it back, and is logged', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await openSubscription(page, site.origin, 'Contoso Dev/Test');
    assert.equal(await settingOnServer(page, 'Contoso Dev/Test', 'WDATP_UNIFIED_SOLUTION'), false);
    await page.getByRole('button', { name: 'Fix' }).click();
    const dialog = page.getByRole('dialog', { name: 'Fix this subscription?' });
    await dialog.getByText('Deploy the unified solution to Windows Server 2012 R2 and 2016').waitFor();
    assert.match(await dialog.textContent(), /az security setting update --subscription=[0-9a-f-]+ --name WDATP_UNIFIED_SOLUTION --data-export-settings enabled=true/);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Azure now reports WDATP_UNIFIED_SOLUTION = true.').waitFor();
    await page.getByText(/up to 12 hours/).waitFor();
    await page.locator('.facts').getByText('On', { exact: true }).waitFor();
    assert.equal(await settingOnServer(page, 'Contoso Dev/Test', 'WDATP_UNIFIED_SOLUTION'), true, 'the server changed');
    await page.getByRole('link', { name: 'Audit log' }).click();
    const row = page.getByRole('row').filter({ hasText: 'WDATP_UNIFIED_SOLUTION' });
    await row.waitFor();
    assert.match(await row.textContent(), /avery@contoso\.example.*Contoso Dev\/Test.*WDATP_UNIFIED_SOLUTION.*false.*true.*true.*200 OK/);
  } finally {
    await context.close();
  }
});

test('a read-only subscription disables every change and says why', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await openSubscription(page, site.origin, 'Contoso Finance');
    for (const name of ['Defender for Endpoint integration (WDATP)', 'Linux machines']) {
      const part = page.getByRole('switch', { name });
      assert.equal(await part.isDisabled(), true, `${name} is disabled`);
    }
    await page.getByText(/it takes Security Admin or Owner/).first().waitFor();
    assert.match(await page.locator('.fix').textContent(), /Fix is not available/);
  } finally {
    await context.close();
  }
});

/** Answers the next PUT to a setting with an ARM error, once; the rest reach the fake. */
async function failNextPut(page, status, code, message, headers = {}) {
  let failed = false;
  await page.route((url) => url.origin === fake.origin && url.pathname.includes('/providers/Microsoft.Security/settings/'), (route) => {
    if (failed || route.request().method() !== 'PUT') return route.fallback();
    failed = true;
    return route.fulfill({
      status,
      headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': site.origin, 'Access-Control-Expose-Headers': 'Retry-After', ...headers },
      body: JSON.stringify({ error: { code, message } }),
    });
  });
  return () => failed;
}

for (const [status, code, headers] of [[429, 'TooManyRequests', { 'Retry-After': '1' }], [409, 'Conflict', {}]]) {
  test(`a ${status} during a change is retried and the change goes through`, async (t) => {
    const { page, context } = await watchedPage(t, browser);
    try {
      await openSubscription(page, site.origin, 'Contoso Data Platform');
      const injected = await failNextPut(page, status, code, 'Another update operation is in progress or too many requests.', headers);
      await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
      await page.getByText('Azure now reports WDATP = true.').waitFor();
      assert.ok(injected(), 'the failure was injected');
      assert.equal(await settingOnServer(page, 'Contoso Data Platform', 'WDATP'), true);
      // Put it back for the next test.
      await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
      await page.getByText('Azure now reports WDATP = false.').waitFor();
    } finally {
      await context.close();
    }
  });
}

test('a 403 from Azure is shown with its code and the roles that may change it', async (t) => {
  const { page, context } = await watchedPage(t, browser);
  try {
    await openSubscription(page, site.origin, 'Contoso Data Platform');
    await failNextPut(page, 403, 'AuthorizationFailed', "The client 'avery@contoso.example' does not have authorization to perform action 'Microsoft.Security/settings/write'.");
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    const failure = page.locator('.results .failed');
    await failure.waitFor();
    const text = await failure.textContent();
    assert.match(text, /403 AuthorizationFailed/);
    assert.match(text, /Security Admin/);
    assert.equal(await settingOnServer(page, 'Contoso Data Platform', 'WDATP'), false, 'nothing changed');
  } finally {
    await context.close();
  }
});

test('a subscription whose settings Azure refuses to show says why, and the rest still load', async (t) => {
  const scenario = JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8'));
  const finance = scenario.subscriptions.find((s) => s.subscription.displayName === 'Contoso Finance').subscription.subscriptionId;
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.route((url) => url.origin === fake.origin && url.pathname === `/subscriptions/${finance}/providers/Microsoft.Security/settings`, (route) =>
      route.fulfill({
        status: 403,
        headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': site.origin },
        body: JSON.stringify({ error: { code: 'AuthorizationFailed', message: "The client does not have authorization to perform action 'Microsoft.Security/settings/read'." } }),
      }));
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'could not be read' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /1 subscription\(s\) could not be read\. HTTP 403 AuthorizationFailed: .*You lack the permission 'Microsoft\.Security\/settings\/read' here\. Roles that grant it: Security Reader, Reader, Security Admin, Contributor or Owner\./);
    // The others load as usual.
    await page.getByRole('status').filter({ hasText: /^12 subscriptions: \d+ On, \d+ Partial, 1 On — no plan, 4 Off$/ }).waitFor();
    assert.equal(await page.locator('tr', { hasText: 'Contoso Retail – EU' }).locator('.status').textContent(), 'Partial');
  } finally {
    await context.close();
  }
});
