// The app's wasm is split (scripts/split-build.sh, src/lazy_page.rs): a tenant's overview comes
// with the app, demo mode and each other page fetch their own module when first shown, and a
// module that cannot be fetched leaves a page that says so and offers a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveSite, launch, watchedPage, expectInstallRefused, dist } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The split modules' files: the build's wasm files but the main one and the workers'. */
const modules = fs.readdirSync(dist).filter((f) => /^mde-console-[0-9a-f]+-.+\.wasm$/.test(f));
const isModule = (url) => modules.some((m) => new URL(url).pathname === `/${m}`);

/** The split points whose modules were fetched ("machines_page", "demo_root"), in order. */
const points = (fetched) => fetched.map((p) => p.match(/-split_(\w+)\.wasm$/)?.[1]).filter(Boolean);

test('the demo overview loads demo mode only, and each page fetches its code when first opened', async (t) => {
  assert.ok(modules.length >= 2, `split modules in dist/: ${modules}`);
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  const fetched = [];
  page.on('requestfinished', (r) => { if (isModule(r.url())) fetched.push(new URL(r.url()).pathname); });
  try {
    await page.goto(`${site.origin}/try`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor();
    await page.locator('table.subscriptions tbody tr').first().waitFor();
    assert.deepEqual(points(fetched), ['demo_root'], 'the demo overview fetched demo mode, no page');

    await page.getByRole('navigation').getByRole('link', { name: 'Machines' }).click();
    await page.getByRole('heading', { level: 1, name: 'Machines' }).waitFor();
    assert.deepEqual(points(fetched), ['demo_root', 'machines_page']);

    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: /Audit/ }).waitFor();
    assert.deepEqual(points(fetched), ['demo_root', 'machines_page', 'audit_page']);

    // Back to a page already opened: nothing is fetched again.
    const count = fetched.length;
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Machines' }).waitFor();
    assert.equal(fetched.length, count);
  } finally {
    await context.close();
    await site.close();
  }
});

test('a page whose code cannot be fetched says so, and the reload brings it', async (t) => {
  const machines = modules.find((m) => m.endsWith('-split_machines_page.wasm'));
  const broken = await serveSite({ [`/${machines}`]: null });
  const { page, context, watch, expectProblem } = await watchedPage(t, browser);
  const installRefused = expectInstallRefused(watch, machines);
  expectProblem(/^console\.error: Failed to load resource: the server responded with a status of 404/,
    "the machines page's module is off the site, and the browser logs the 404 of its fetch");
  expectProblem(/^console\.error: TypeError: Failed to execute 'compile' on 'WebAssembly': HTTP status code is not ok/,
    "wasm-split's loader logs the failed fetch (console.error) before the app says the page could not be loaded");
  try {
    await page.goto(`${broken.origin}/try/machines`);
    await page.getByRole('note').filter({ hasText: 'Demo' }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'This page could not be loaded' });
    await alert.waitFor();
    assert.equal(await page.getByRole('heading', { level: 1, name: 'Machines' }).count(), 0);
    // No panic (the harness fails the test on any exception): the failed load is an answer.
    await installRefused();
  } finally {
    await context.close();
    await broken.close();
  }
  // The same page from a site that has the files: Reload shows it.
  const site = await serveSite();
  const second = await watchedPage(t, browser);
  // The first fetch of the module fails, the page's and the service worker's alike: the worker
  // takes the page over once installed (clients.claim) and would answer it from its cache.
  const secondInstallRefused = expectInstallRefused(second.watch, machines);
  second.expectProblem(/^console\.error: Failed to load resource: the server responded with a status of 404/,
    "the test answers the module's first fetch 404, and the browser logs it");
  second.expectProblem(/^console\.error: TypeError: Failed to execute 'compile' on 'WebAssembly': HTTP status code is not ok/,
    "wasm-split's loader logs the failed fetch (console.error) before the app offers the reload");
  try {
    let reloaded = false;
    await second.context.route(`**/${machines}`, (route) => (!reloaded
      ? route.fulfill({ status: 404, body: 'not found' }) : route.continue()));
    await second.page.goto(`${site.origin}/try/machines`);
    await second.page.getByRole('alert').filter({ hasText: 'This page could not be loaded' }).waitFor();
    await secondInstallRefused();
    reloaded = true;
    await second.page.getByRole('button', { name: 'Reload' }).click();
    await second.page.getByRole('heading', { level: 1, name: 'Machines' }).waitFor();
  } finally {
    await second.context.close();
    await site.close();
  }
});
