// Issue 12's verify step end to end: a machine's page, the seed's test alert sent through Run
// Command (confirmation with the exact script), its output, the alert watch that survives
// moving between pages and sees the alert arrive; an alert that never comes (the browser's clock
// pushed past the hour: the watch ends with guidance); Run Command refused (no permission, a
// stopped VM); a failed Run Command (the fake fails the operation); the sensor check healthy and
// unhealthy; hostile names and output as text; and the demo's simulated loop with its links.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveSite, startFakeAzure, launch, watchedPage, pageOwner, explained, root } from './harness.mjs';

const SUB = '11111111-2222-3333-4444-555555555555';
const READER_SUB = '99999999-2222-3333-4444-555555555555';
const TENANT = '6b1d8c2e-4f3a-4c8e-9a51-0d7e2f4b9c31';
const HOSTILE = '<img src=x onerror=alert(1)>';
const vmId = (sub, name) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;

function vm(sub, name, osType, { runCommand, power = 'running' } = {}) {
  const resource = { id: vmId(sub, name), name, type: 'Microsoft.Compute/virtualMachines', location: 'westeurope',
    properties: { storageProfile: { osDisk: { osType } },
      instanceView: { statuses: [{ code: 'ProvisioningState/succeeded' }, { code: `PowerState/${power}` }] } } };
  return runCommand ? { resource, runCommand } : { resource };
}

const SCENARIO = {
  tenants: [{ id: `/tenants/${TENANT}`, tenantId: TENANT, displayName: 'Contoso', defaultDomain: 'contoso.example' }],
  subscriptions: [
    { subscription: { subscriptionId: SUB, displayName: 'Prod', state: 'Enabled', tenantId: TENANT },
      permissions: [{ actions: ['*'], notActions: [] }],
      virtualMachines: [
        vm(SUB, 'win-01', 'Windows', { runCommand: { alertDelaySeconds: 0 } }),
        vm(SUB, 'lin-quiet', 'Linux', { runCommand: { alert: false, sensor: 'unhealthy' } }),
        vm(SUB, 'lin-ok', 'Linux'),
        vm(SUB, 'lin-broken', 'Linux', { runCommand: { failure: { code: 'VMAgentStatusCommunicationError',
          message: "VM has reported a failure when processing extension 'RunCommandLinux'." } } }),
        vm(SUB, 'win-stopped', 'Windows', { power: 'deallocated' }),
        vm(SUB, HOSTILE, 'Linux', { runCommand: { output: '<script>alert(2)</script><b>bold</b>' } }),
      ] },
    { subscription: { subscriptionId: READER_SUB, displayName: 'Read only', state: 'Enabled', tenantId: TENANT },
      permissions: [{ actions: ['*/read'], notActions: [] }],
      virtualMachines: [vm(READER_SUB, 'reader-vm', 'Windows')] },
  ],
};

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await signedIn();
});
// The signed-in page is the tests' in turn: each answers for what it met during the test.
afterEach(() => server?.watch.check());
after(async () => {
  await server?.close();
  await browser?.close();
});

/** The fake server with SCENARIO, signed in once (runs take 1 s), on a page the tests share. */
async function signedIn(faults = []) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verify-')), 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(SCENARIO));
  const overrides = {};
  const site = await serveSite(overrides);
  const fake = await startFakeAzure(['--scenario', file, '--app-origin', site.origin, '--auto-approve', '--lro-ms', '1000', ...faults]);
  overrides['/config.json'] = JSON.stringify({
    clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', concurrency: 4,
    cloud: { name: 'FakeAzure', loginUrl: fake.origin, armUrl: fake.origin, armAudience: `${fake.origin}/` },
  });
  const owner = pageOwner();
  const { page, context, watch } = await watchedPage(owner, browser);
  await page.goto(`${site.origin}/`);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${site.origin}/tenants/**`);
  const base = new URL(page.url()).pathname.replace(/\/$/, '');
  const open = async (id) => {
    await page.goto(`${site.origin}${base}/machines/machine?id=${encodeURIComponent(id)}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };
  return { site, fake, page, watch, open, base,
    close: async () => {
      await context.close();
      await owner.teardown();
      fake.stop();
      await site.close();
      fs.rmSync(path.dirname(file), { recursive: true });
    } };
}

const runButton = (page) => page.getByRole('button', { name: 'Run it from here…' });
const sensorButton = (page) => page.getByRole('button', { name: 'Check the sensor…' });

/** Opens the confirmation, checks it names the machine and shows the script, and runs it. */
async function confirmAndRun(page, button, { id, scriptHas }) {
  await button.click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.ok((await dialog.textContent()).includes(id), 'the dialog names the machine');
  const script = await dialog.locator('pre').textContent();
  assert.ok(script.includes(scriptHas), script);
  await dialog.getByRole('button', { name: 'Run' }).click();
  await dialog.waitFor({ state: 'detached' });
}

test('the Windows test alert through Run Command: output, a watch that survives other pages, the alert', async () => {
  const { page, open, fake, base } = server;
  const id = vmId(SUB, 'win-01');
  await open(id);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'win-01');
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Test alert' }) });
  const text = await section.textContent();
  assert.ok(text.includes('Suspicious PowerShell CommandLine') && text.includes('Informational'), text);
  assert.ok(text.includes('C:\\test-MDATP-test'), 'the seed folder step');
  assert.equal(await section.getByRole('button', { name: /^Copy/ }).count(), 2);
  await confirmAndRun(page, runButton(page), { id, scriptHas: "DownloadFile(''http://127.0.0.1/1.exe''" });
  await page.getByText('The command ran.').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('pre[aria-label="Output"]').textContent(), 'Test alert command started.');
  await page.getByText(/Watching Security alerts for Suspicious PowerShell CommandLine/).waitFor();
  assert.equal(await page.locator('.watch').getAttribute('aria-live'), 'polite');
  // Away to the audit log (in the app), where the command is logged, and back.
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.getByText(/Run Command \(test alert\) on win-01/).first().waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'win-01', level: 1 }).waitFor();
  await page.getByText('The alert arrived.').waitFor({ timeout: 40_000 });
  const facts = await page.locator('.arrived dl').textContent();
  assert.ok(facts.includes('Suspicious PowerShell CommandLine') && facts.includes('Informational'), facts);
  assert.match(facts, /Took\d+ s/);
  const posts = fake.log.filter((l) => /^POST .*\/virtualMachines\/win-01\/runCommand\?api-version=2024-07-01 -> 202/.test(l));
  assert.equal(posts.length, 1, fake.log.join('\n'));
  void base;
});

test('Run Command refused: no permission, a stopped VM; a failed Run Command in ARM words', async () => {
  const { page, open, fake } = server;
  await open(vmId(READER_SUB, 'reader-vm'));
  assert.ok(await runButton(page).isDisabled());
  assert.ok(await sensorButton(page).isDisabled());
  assert.match(await page.locator('#run-refused').textContent(), /Microsoft\.Compute\/virtualMachines\/runCommand\/action/);
  await open(vmId(SUB, 'win-stopped'));
  assert.ok(await runButton(page).isDisabled());
  assert.match(await page.locator('#run-refused').textContent(), /The VM is deallocated: Run Command needs it running/);
  assert.equal(fake.log.filter((l) => /reader-vm\/runCommand|win-stopped\/runCommand/.test(l)).length, 0, 'nothing sent');

  await open(vmId(SUB, 'lin-broken'));
  await confirmAndRun(page, runButton(page), { id: vmId(SUB, 'lin-broken'), scriptHas: 'mde_linux_edr_diy' });
  await page.getByText(/The command failed\. VMAgentStatusCommunicationError: VM has reported a failure/).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByText(/Watching Security alerts/).count(), 0, 'no watch after a failed command');
});

test('a Run Command whose answer was lost may have run: it is not offered again until its run state is read, and runs once', async () => {
  // The fake runs the command, then answers 504 (as ARM does when it gave up waiting).
  const mine = await signedIn(['--fail-run-answers', '1']);
  const { page, open, fake, watch } = mine;
  try {
    const id = vmId(SUB, 'lin-ok');
    await open(id);
    await confirmAndRun(page, runButton(page), { id, scriptHas: 'mde_linux_edr_diy' });
    const unsure = page.locator('.may-have-run');
    await unsure.waitFor({ timeout: 20_000 });
    assert.match(await unsure.textContent(), /may have run/);
    assert.ok(await runButton(page).isDisabled(), 'not offered again before its run state is read');
    await unsure.getByRole('button', { name: 'Check whether it ran' }).click();
    await page.getByText('The command ran.').waitFor({ timeout: 20_000 });
    const posts = fake.log.filter((l) => /^POST .*\/virtualMachines\/lin-ok\/runCommand\?/.test(l));
    assert.equal(posts.length, 1, `sent once: ${fake.log.join('\n')}`);
    assert.ok(fake.log.some((l) => /^GET .*\/virtualMachines\/lin-ok\/instanceView\?/.test(l)), 'its run state was read');
    await watch.check();
  } finally {
    await mine.close();
  }
});

test('hostile machine names and command output render as text', async () => {
  const { page, open } = server;
  const id = vmId(SUB, HOSTILE);
  await open(id);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), HOSTILE);
  await confirmAndRun(page, sensorButton(page), { id, scriptHas: 'mdatp health' });
  await page.getByText('Raw output').waitFor({ timeout: 20_000 });
  await page.getByText('Raw output').click();
  assert.equal(await page.locator('details pre').textContent(), '<script>alert(2)</script><b>bold</b>');
  assert.equal(await page.locator('main img, main script:not([type]), main b').count(), 0, 'no markup from ARM');
});

// Last on the signed-in page: it leaves the browser's clock an hour ahead.
test('an alert that never arrives: after the hour the watch stops with guidance; the sensor unhealthy, then healthy', async () => {
  const { page, open } = server;
  await page.clock.install();
  await open(vmId(SUB, 'lin-quiet'));
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Test alert' }) });
  assert.ok((await section.textContent()).includes('Enumeration of files with sensitive data'));
  await confirmAndRun(page, runButton(page), { id: vmId(SUB, 'lin-quiet'), scriptHas: './mde_linux_edr_diy' });
  await page.getByText('The command ran.').waitFor({ timeout: 20_000 });
  await page.getByText(/Watching Security alerts/).waitFor();
  await page.clock.fastForward(61 * 60_000);
  await page.getByText(/No alert naming this machine reached Defender for Cloud within 60 minutes/).waitFor({ timeout: 20_000 });

  await confirmAndRun(page, sensorButton(page), { id: vmId(SUB, 'lin-quiet'), scriptHas: 'mdatp health --field healthy --field licensed' });
  await page.getByText('The sensor needs attention.').waitFor({ timeout: 20_000 });
  const health = await page.locator('dl.health').textContent();
  assert.equal(health, 'HealthyNoLicensedYesRunningYes');
  await page.getByText('Raw output').click();
  assert.ok((await page.locator('details pre').textContent()).includes(': false'));

  await open(vmId(SUB, 'lin-ok'));
  await confirmAndRun(page, sensorButton(page), { id: vmId(SUB, 'lin-ok'), scriptHas: 'mdatp health' });
  await page.getByText('The sensor is healthy.').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('dl.health').textContent(), 'HealthyYesLicensedYesRunningYes');
});

test('demo: the loop is simulated, says so, and the alert arrives with its portal links', async (t) => {
  const site = await serveSite();
  const { page, context, problems } = await watchedPage(t, browser);
  try {
    const scenario = JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8'));
    const id = scenario.subscriptions[0].virtualMachines[0].resource.id;
    await page.goto(`${site.origin}/try/machines`);
    // Reached from its row of the machines table.
    await page.getByLabel('Search').fill('prod-web-01');
    // The click waits for the search to apply: rows re-rendered under it could take it elsewhere.
    await page.getByRole('status').filter({ hasText: /^1 of \d+ machines shown$/ }).waitFor();
    await page.getByRole('link', { name: /^Verify prod-web-01:/ }).click();
    await page.getByRole('heading', { name: 'prod-web-01', level: 1 }).waitFor();
    assert.ok(page.url().includes(encodeURIComponent(id)));
    await page.getByText(/^Simulated: in the demo nothing runs anywhere/).waitFor();
    await confirmAndRun(page, runButton(page), { id, scriptHas: 'test-MDATP-test' });
    await page.getByText('The alert arrived (simulated).').waitFor({ timeout: 45_000 });
    const azure = await page.getByRole('link', { name: 'The alert in the Azure portal' }).getAttribute('href');
    assert.match(azure, /^https:\/\/portal\.azure\.com\/#.*AlertBlade/);
    const defender = await page.getByRole('link', { name: 'Microsoft Defender portal' }).getAttribute('href');
    assert.match(defender, /^https:\/\/security\.microsoft\.com\//);
  } catch (error) {
    throw await explained(page, error, problems.map((p) => p.line));
  } finally {
    await context.close();
    await site.close();
  }
});
