// Connected AWS accounts and GCP projects, portal links and the tenant's requirements (issue 12):
// the connectors on the overview and on a subscription's page (demo and fake server), a
// subscription of another directory named as possibly moved, the first onboarding's data
// location, the Defender portal link carrying the tenant, and hostile connector names as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage } from './harness.mjs';

const DEMO_TENANT = '6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31';
const RETAIL = '2217bead-dbc4-46cb-8e81-973e0becd7b0';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The connectors table as rows of cell texts: [cloud, account, connector, subscription, servers, mde, status]. */
async function readConnectors(page) {
  await page.locator('table.connectors tbody tr[data-connector]').first().waitFor();
  return page.$$eval('table.connectors tbody tr[data-connector]', (rows) =>
    rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent.replace('↗', '').trim())));
}

test('demo: connectors on the overview and the subscription page, Defender portal link with the tenant', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    const section = page.getByRole('region', { name: 'Connected AWS accounts and GCP projects' });
    await section.getByText('2 connected: 1 On, 1 Partial, 0 Off').waitFor();
    assert.deepEqual(await readConnectors(page), [
      ['AWS', '123456789012', 'aws-retail-prod', 'Contoso Retail – EU', 'On', 'On', 'On'],
      ['GCP', 'retail-analytics-4711', 'gcp-retail-analytics', 'Contoso Retail – EU', 'On', 'Off', 'Partial'],
    ]);
    // Each connector links to its own page in the Azure portal, in the demo's directory.
    assert.equal(
      await section.getByRole('link', { name: 'AWS account 123456789012 in the Azure portal' }).getAttribute('href'),
      `https://portal.azure.com/#@${DEMO_TENANT}/resource/subscriptions/${RETAIL}/resourceGroups/rg-multicloud/providers/Microsoft.Security/securityConnectors/aws-retail-prod`);
    // The Defender portal opens in the signed-in tenant.
    const defender = page.getByRole('link', { name: 'Microsoft Defender portal ↗' });
    assert.equal(await defender.getAttribute('href'), `https://security.microsoft.com/?tid=${DEMO_TENANT}`);
    assert.equal(await defender.getAttribute('rel'), 'noopener noreferrer');

    // The subscription's page lists its own, and says what Partial means for the machines there.
    await page.getByRole('link', { name: 'Contoso Retail – EU' }).click();
    await page.getByRole('heading', { name: 'Contoso Retail – EU', level: 1 }).waitFor();
    const own = await readConnectors(page);
    assert.deepEqual(own.map((r) => [r[0], r[1], r[6]]), [['AWS', '123456789012', 'On'], ['GCP', 'retail-analytics-4711', 'Partial']]);
    await page.getByText(/auto-provisioning is off: machines there are not onboarded/).waitFor();
    assert.equal(await page.locator('.facts').getByRole('link', { name: 'Azure portal ↗' }).getAttribute('href'),
      `https://portal.azure.com/#@${DEMO_TENANT}/resource/subscriptions/${RETAIL}`);
    // A subscription of this directory gets no moved-subscription note.
    assert.equal(await page.locator('.moved-subscription').count(), 0);

    // Fabrikam's subscription lives in another directory: its page and its bulk plan row say so.
    await page.goto(`${site.origin}/try`);
    await page.getByRole('link', { name: 'Fabrikam (acquired)' }).click();
    await page.getByRole('heading', { name: 'Fabrikam (acquired)', level: 1 }).waitFor();
    const note = page.getByRole('note').filter({ hasText: 'is not the tenant you signed in to' });
    assert.match(await note.textContent(), /directory \(b2e7a9c4-1d3f-4e6a-8c5b-7f9d0e1a2b34\) .*turn the integration off and on again/);
    await page.getByText('No AWS account or GCP project is connected through this subscription.').waitFor();
    await page.getByRole('link', { name: '← All subscriptions' }).click();
    // The overview read to the end (leaving it mid-load stops it, and coming back loads it again):
    // until then, no subscription is known to have the integration on.
    await page.waitForFunction(() => /^\d+ subscriptions: \d+ On, \d+ Partial, \d+ On — no plan, \d+ Off$/
      .test(document.querySelector('.summary')?.textContent.trim()));
    await page.locator('table.subscriptions tbody tr').filter({ hasText: 'Fabrikam (acquired)' }).locator('.select input').check();
    await page.getByRole('link', { name: 'Plan a change for 1 →' }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    const row = page.locator('table.plan tbody tr').filter({ hasText: 'Fabrikam (acquired)' });
    await row.locator('.moved-subscription').getByText(/is not the tenant you signed in to/).waitFor();
    // Other subscriptions have the integration on: the data location is settled, not announced.
    assert.equal(await page.locator('.data-location').count(), 0);
  } finally {
    await context.close();
    await site.close();
  }
});

const CLIENT_ID = '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const TENANT = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const OTHER_TENANT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

function connector(sub, name, environmentName, account, offerings, environmentData) {
  return {
    id: `${sub}/resourceGroups/rg-multicloud/providers/Microsoft.Security/securityConnectors/${encodeURIComponent(name)}`,
    name, type: 'Microsoft.Security/securityConnectors', location: 'westeurope', kind: '', tags: {},
    properties: { hierarchyIdentifier: account, environmentName, environmentData, offerings },
  };
}

function subscription(n, name, extra) {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const sub = `/subscriptions/${id}`;
  return {
    subscription: { id: sub, subscriptionId: id, tenantId: TENANT, displayName: name, state: 'Enabled' },
    settings: [{ id: `${sub}/providers/Microsoft.Security/settings/WDATP`, name: 'WDATP', type: 'Microsoft.Security/settings', kind: 'DataExportSettings', properties: { enabled: false } }],
    pricings: [{ id: `${sub}/providers/Microsoft.Security/pricings/VirtualMachines`, name: 'VirtualMachines', type: 'Microsoft.Security/pricings', properties: { pricingTier: 'Standard', subPlan: 'P2' } }],
    permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
    ...extra(sub),
  };
}

const scenario = {
  name: 'Connectors',
  user: { name: 'Avery Admin', username: 'avery@contoso.example' },
  tenants: [{ id: `/tenants/${TENANT}`, tenantId: TENANT, displayName: 'Contoso', defaultDomain: 'contoso.example' }],
  subscriptions: [
    subscription(1, 'Multicloud', (sub) => ({ securityConnectors: [
      connector(sub, `aws${HOSTILE}`, 'AWS', '111122223333', [
        { offeringType: 'CspmMonitorAws', nativeCloudConnection: { cloudRoleArn: 'arn:aws:iam::111122223333:role/CspmMonitorAws' } },
        { offeringType: 'DefenderForServersAws', defenderForServers: { cloudRoleArn: 'arn:aws:iam::111122223333:role/DefenderForCloud-DefenderForServers' },
          mdeAutoProvisioning: { enabled: true, configuration: {} }, subPlan: { type: 'P2' } },
      ], { environmentType: 'AwsAccount' }),
      connector(sub, 'gcp-posture-only', 'GCP', '123456789', [
        { offeringType: 'CspmMonitorGcp', nativeCloudConnection: { workloadIdentityProviderId: 'cspm', serviceAccountEmailAddress: 'cspm@p.example' } },
      ], { environmentType: 'GcpProject', projectDetails: { projectNumber: '123456789', projectId: `proj${HOSTILE}` } }),
      connector(sub, 'github-code', 'Github', `${sub}/resourceGroups/rg/providers/Microsoft.SecurityDevops/githubConnectors/x`,
        [{ offeringType: 'CspmMonitorGithub' }], { environmentType: 'GithubScope' }),
    ] })),
    // A reader here cannot read the connectors: that subscription says so, the others list theirs.
    subscription(2, 'No connector rights', () => ({
      permissions: [{ actions: ['*'], notActions: ['Microsoft.Security/securityConnectors/read'], dataActions: [], notDataActions: [] }],
    })),
    // Listed to this tenant though its directory is another (delegated or moved).
    subscription(3, 'From another directory', () => ({ listedInTenant: TENANT })),
  ],
};
scenario.subscriptions[2].subscription.tenantId = OTHER_TENANT;
scenario.subscriptions[2].subscription.managedByTenants = [{ tenantId: TENANT }];

test('fake server: connectors listed, a refused read named, hostile names as text, moved note and data location', async (t) => {
  const overrides = {};
  const site = await serveSite(overrides);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-connectors-'));
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const fake = await startFakeAzure(['--scenario', file, '--app-origin', site.origin, '--auto-approve']);
  overrides['/config.json'] = JSON.stringify({ clientId: CLIENT_ID,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` } });
  const served = site;
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${served.origin}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${served.origin}/tenants/**`);
    const section = page.getByRole('region', { name: 'Connected AWS accounts and GCP projects' });
    await section.getByText('2 connected: 1 On, 0 Partial, 1 Off').waitFor();
    assert.deepEqual(await readConnectors(page), [
      ['AWS', '111122223333', `aws${HOSTILE}`, 'Multicloud', 'On', 'On', 'On'],
      ['GCP', `proj${HOSTILE}`, 'gcp-posture-only', 'Multicloud', 'Off', '—', 'Off'],
    ]);
    const refused = await section.locator('.connectors-failed').textContent();
    assert.match(refused, /Azure did not list the security connectors of 1 subscription\(s\):No connector rights: HTTP 403 AuthorizationFailed: .*You lack the permission 'Microsoft\.Security\/securityConnectors\/read' here\. Roles that grant it: Security Reader, Reader, Security Admin, Contributor or Owner/);
    // A custom cloud has no portal to link to: no link rather than a wrong one.
    assert.equal(await page.getByRole('link', { name: 'Microsoft Defender portal ↗' }).count(), 0);
    // Nothing the connectors carried became markup, and no script ran.
    assert.deepEqual(await page.evaluate(() => [document.querySelectorAll('body img').length, document.querySelectorAll('body script').length]), [0, 0]);

    // The subscription of another directory: the note, then the first onboarding's data location.
    await page.getByRole('link', { name: 'From another directory' }).click();
    await page.getByRole('heading', { name: 'From another directory', level: 1 }).waitFor();
    await page.getByRole('note').filter({ hasText: `directory (${OTHER_TENANT}) is not the tenant you signed in to (${TENANT})` }).waitFor();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/First onboarding: Defender for Endpoint will store this tenant's data in the geo-location chosen now/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.ok(fake.log.some((l) => /GET \/subscriptions\/00000000-0000-4000-8000-000000000001\/providers\/Microsoft\.Security\/securityConnectors\?api-version=2024-08-01-preview -> 200/.test(l)), 'read with its own api-version');
  } finally {
    await context.close();
    fake.stop();
    await served.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
