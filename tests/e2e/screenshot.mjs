// `make screenshot`: every page of the demo, in the light and the dark colour scheme, at 1280 px
// (and the overview and machines at 1024 px, the narrowest width the app is made for), into
// docs/screenshots/, with an index (README.md) that the project's README links to.
//   node tests/e2e/screenshot.mjs [out-dir]
import fs from 'node:fs';
import path from 'node:path';
import { serveSite, launch, root } from './harness.mjs';

const out = process.argv[2] ?? path.join(root, 'docs/screenshots');
fs.mkdirSync(out, { recursive: true });

const overviewLoaded = (page) => page.waitForFunction(() => document.querySelector('.summary')?.textContent.includes('subscriptions:')
  && !document.querySelector('table.subscriptions .pending'));
const machinesLoaded = (page) => page.getByRole('status').filter({ hasText: /machines, from/ }).waitFor({ timeout: 30_000 });

/** The pages, in the order a user meets them: each step starts where the previous one ended. */
const STEPS = [
  ['start', async (page, origin) => { await page.goto(`${origin}/`); await page.getByRole('heading', { level: 1 }).waitFor(); }],
  ['setup', async (page, origin) => { await page.goto(`${origin}/setup`); await page.getByRole('heading', { level: 1 }).waitFor(); }],
  ['overview', async (page, origin) => { await page.goto(`${origin}/try`); await overviewLoaded(page); }],
  ['subscription', async (page) => {
    await page.getByRole('link', { name: 'Contoso Data Platform', exact: true }).click();
    await page.getByRole('heading', { name: 'Contoso Data Platform', level: 1 }).waitFor();
  }],
  ['subscription-confirm', async (page) => {
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
    await page.getByRole('dialog').waitFor();
  }],
  ['bulk-plan', async (page, origin) => {
    await page.goto(`${origin}/try`); await overviewLoaded(page);
    await page.getByRole('button', { name: 'All Partial' }).click();
    await page.getByRole('link', { name: /^Plan a change for/ }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
  }],
  ['bulk-run', async (page) => {
    await page.getByRole('button', { name: /^Apply/ }).click();
    await page.locator('.run-progress .summary').filter({ hasText: / 0 waiting$/ }).waitFor({ timeout: 60_000 });
  }],
  ['machines', async (page) => {
    await page.getByRole('link', { name: 'Machines', exact: true }).click();
    await machinesLoaded(page);
  }],
  ['machines-change', async (page) => {
    await page.getByLabel('Search').fill('prod-batch');
    await page.getByRole('status').filter({ hasText: /^\d+ of \d+ machines shown$/ }).waitFor();
    await page.getByRole('button', { name: /^Select all shown/ }).click();
    await page.getByRole('link', { name: 'Exclude from MDE auto-update…' }).click();
    await page.getByRole('heading', { name: 'Change machines' }).waitFor();
  }],
  ['machine', async (page) => {
    await page.getByRole('link', { name: 'Machines', exact: true }).click();
    await machinesLoaded(page);
    await page.getByLabel('Search').fill('prod-sql-01');
    await page.getByRole('link', { name: /^Verify prod-sql-01:/ }).click();
    await page.getByRole('heading', { name: 'prod-sql-01', level: 1 }).waitFor();
  }],
  ['machine-run-confirm', async (page) => {
    await page.getByRole('button', { name: 'Run it from here…' }).click();
    await page.getByRole('dialog').waitFor();
  }],
  ['machine-alert-arrived', async (page) => {
    await page.getByRole('dialog').getByRole('button', { name: 'Run' }).click();
    await page.getByText('The alert arrived (simulated).').waitFor({ timeout: 60_000 });
  }],
  ['audit', async (page) => {
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.locator('table.audit tbody tr').first().waitFor();
  }],
];

// A site set up for a tenant, so that the start page offers the sign-in beside the demo.
const site = await serveSite({ '/config.json': JSON.stringify({ clientId: '5f0c4c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f' }) });
const browser = await launch({ watched: false });
try {
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    for (const [name, step] of STEPS) {
      await step(page, site.origin);
      await page.waitForTimeout(400);
      const file = path.join(out, `${name}-${scheme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${path.relative(root, file)}`);
      if (scheme === 'light' && (name === 'overview' || name === 'machines')) {
        await page.setViewportSize({ width: 1024, height: 768 });
        await page.waitForTimeout(300);
        const narrow = path.join(out, `${name}-1024.png`);
        await page.screenshot({ path: narrow });
        console.log(`wrote ${path.relative(root, narrow)}`);
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    }
    await context.close();
  }
  const rows = STEPS.map(([name]) => `| ${name} | ![${name}, light](${name}-light.png) | ![${name}, dark](${name}-dark.png) |`);
  fs.writeFileSync(path.join(out, 'README.md'), [
    '# Screenshots', '',
    'Every page of the demo, made by `make screenshot` (tests/e2e/screenshot.mjs) at 1280 px; the overview',
    'and the machines also at 1024 px: [overview](overview-1024.png), [machines](machines-1024.png).', '',
    '| Page | Light | Dark |', '|---|---|---|', ...rows, '',
  ].join('\n'));
} finally {
  await browser.close();
  await site.close();
}
