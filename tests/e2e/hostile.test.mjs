// A hostile tenant over every page (issue 13, hardening): script in every string a page shows,
// a 10 kB subscription name, unknown fields in every object, and nulls where ARM may send them
// instead of objects. The demo serves it as its scenario; every page must render, run no
// script and crash nowhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveSite, launch, watchedPage, root } from './harness.mjs';

const SCRIPT = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'`${7*7}';
/** Strings a page shows as text; ids, names (they are in the ids), types and states keep their meaning. */
const SHOWN = new Set(['displayName', 'message', 'displayStatus', 'osSku', 'osName', 'alertDisplayName',
  'description', 'compromisedEntity', 'machineFqdn', 'defaultDomain']);

/** The demo scenario, made hostile. */
function hostileScenario() {
  const scenario = JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8'));
  const walk = (value, key) => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v));
    if (value === null || typeof value !== 'object') return;
    // Tags are strings only (ARM's rule): their values turn hostile, nothing is added.
    if (key === 'tags') {
      for (const k of Object.keys(value)) value[k] = `${value[k]}${SCRIPT}`;
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && SHOWN.has(k)) value[k] = v + SCRIPT;
      else walk(v, k);
    }
    value['x-unknown-field'] = { nested: [1, null, { deeper: SCRIPT }] };
  };
  walk(scenario);
  // One name of 10 kB; the user's own name hostile too.
  scenario.subscriptions[1].subscription.displayName = 'Long '.repeat(2048) + SCRIPT;
  scenario.user.name += SCRIPT;
  // Nulls where ARM sends them instead of objects (Arc's null tags, a VM without an image or an
  // instance view, an extension that has not reported).
  for (const sub of scenario.subscriptions) {
    for (const m of sub.arcMachines ?? []) m.resource.tags = null;
    for (const [i, m] of (sub.virtualMachines ?? []).entries()) {
      if (i % 2) m.resource.properties.storageProfile.imageReference = null;
      for (const e of m.extensions ?? []) if (e.properties) e.properties.instanceView = null;
    }
  }
  return JSON.stringify(scenario);
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Nothing the scenario carried became markup: no image, no script in the page's body. */
async function noInjection(page) {
  const injected = await page.evaluate(() => ({
    images: document.querySelectorAll('body img').length,
    scripts: document.querySelectorAll('body script').length,
    text: document.body.innerText.includes('<script>alert(1)</script>'),
  }));
  assert.deepEqual([injected.images, injected.scripts], [0, 0], 'markup from the scenario');
  return injected.text;
}

test('every page renders a hostile tenant as text and runs none of it', async (t) => {
  const site = await serveSite({ '/demo/scenario.json': hostileScenario() });
  const { page, context } = await watchedPage(t, browser);
  try {
    // The overview: every row, the 10 kB name cut short in its cell.
    await page.goto(`${site.origin}/try`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    await page.waitForFunction(() => !/loading|listing/.test(document.querySelector('.summary').textContent), null, { timeout: 30000 });
    assert.ok(await noInjection(page), 'the hostile text shows as text');
    const long = await page.locator('table.subscriptions tbody th').filter({ hasText: /^Long Long/ }).first();
    const box = await long.boundingBox();
    assert.ok(box.height < 60, `the 10 kB name keeps its row one line high (${box.height} px)`);

    // A subscription page, by its hostile name.
    await long.getByRole('link').click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await noInjection(page);

    // Machines: the table, the charts, the failures; a search for the script itself.
    await page.goto(`${site.origin}/try/machines`);
    await page.getByRole('status').filter({ hasText: /machines, from Resource Graph/ }).waitFor({ timeout: 30000 });
    await page.locator('details.failures summary').click();
    await page.getByLabel('Search').fill('<script>');
    await page.getByText(/of \d+ machines shown/).waitFor();
    await noInjection(page);

    // A change plan over every machine, and the bulk plan over every subscription.
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: /Select all shown/ }).click();
    await page.getByRole('link', { name: 'Remove the MDE extension…' }).click();
    await page.getByRole('heading', { name: 'Change machines' }).waitFor();
    await noInjection(page);
    await page.goto(`${site.origin}/try`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    await page.getByRole('button', { name: /Select all shown/ }).click();
    await page.getByRole('link', { name: /Plan a change for/ }).click();
    await page.getByRole('heading', { name: 'Change many subscriptions' }).waitFor();
    await noInjection(page);

    // The audit log (empty, but its page renders) and the start page.
    await page.goto(`${site.origin}/try/audit`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await noInjection(page);
  } finally {
    await context.close();
    await site.close();
  }
});
