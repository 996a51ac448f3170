// The trainer's scenario (issue 13): a scenario loaded by URL (same origin, another origin that
// allows CORS, and the refusals by CSP and by CORS), from a picked file and from a dropped one;
// a broken scenario named by its JSON path, with nothing half-started; the demo's changes kept
// across a reload in the tab, and "Reset the demo". Also: the JSON Schema that `fake-azure
// schema` prints is the one shipped, and the shipped and generated scenarios validate against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv';
import { serveSite, launch, watchedPage, root, dist, indexForTests, workerForTests } from './harness.mjs';

const FAKE = path.join(root, 'target/debug/fake-azure');
const shipped = () => JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8'));

/** A small scenario of the demo's first `count` subscriptions under another name. */
function lab(name, count = 2) {
  const base = shipped();
  return { name, user: base.user, tenants: base.tenants, subscriptions: base.subscriptions.slice(0, count) };
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A loopback origin of its own that serves `body` at any path, with `headers`. */
async function otherOrigin(body, headers) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };

/**
 * The site as serveSite serves it, with `origin` added to its CSP's connect-src, as a host that
 * lists a trainer's origin would (and sw.js listing that page's bytes). (Not by rewriting the page in Playwright: a page fulfilled
 * there has no address, so Chromium takes it for a public one and refuses it loopback.)
 */
async function siteAllowing(origin) {
  const page = indexForTests().replace('connect-src ', `connect-src ${origin} `);
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/sw.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(workerForTests({ 'index.html': page }));
    }
    if (path.extname(pathname)) {
      const file = path.join(dist, path.normalize(decodeURIComponent(pathname)));
      if (!file.startsWith(dist) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404);
        return res.end('not found');
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      return fs.createReadStream(file).pipe(res);
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** The scenario bar's text once the demo runs, and the overview's subscription count. */
async function running(page) {
  const bar = page.getByRole('region', { name: 'Scenario' });
  await bar.waitFor();
  const summary = await page.getByRole('status').filter({ hasText: /subscriptions:/ }).textContent();
  return { bar: (await bar.textContent()).replace(/\s+/g, ' '), summary };
}

/** The demo did not start: an alert says why, and no page of a tenant is shown. */
async function refused(page) {
  const alert = page.getByRole('alert').filter({ hasText: /scenario/ });
  await alert.waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no header of a started demo');
  assert.equal(await page.locator('table.subscriptions').count(), 0, 'no overview');
  return (await alert.textContent()).replace(/\s+/g, ' ');
}

test('fake-azure schema is the shipped schema, and the shipped and generated scenarios validate against it', () => {
  const printed = JSON.parse(execFileSync(FAKE, ['schema'], { encoding: 'utf8' }));
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'public/demo/scenario.schema.json'), 'utf8'));
  assert.deepEqual(schema, printed, 'public/demo/scenario.schema.json is out of date: run fake-azure schema');
  const ajv = new Ajv({ allErrors: true });
  // schemars names Rust's number types as formats; the types already say the rest.
  ajv.addFormat('uint64', { type: 'number', validate: (n) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
  const validate = ajv.compile(schema);
  const demo = shipped();
  assert.equal(demo.$schema, './scenario.schema.json');
  assert.ok(validate(demo), JSON.stringify(validate.errors));
  const generated = JSON.parse(execFileSync(FAKE, ['generate', '--subscriptions', '30', '--machines', '120', '--seed', '5'],
    { encoding: 'utf8', maxBuffer: 64 << 20 }));
  assert.ok(validate(generated), JSON.stringify(validate.errors));
  // The schema is not vacuous: the wrong type the loader refuses, it refuses too.
  demo.subscriptions[3].settings[0].properties.enabled = 'yes';
  assert.equal(validate(demo), false);
  assert.ok(validate.errors.some((e) => e.instancePath === '/subscriptions/3/settings/0/properties/enabled' && e.keyword === 'type'),
    JSON.stringify(validate.errors));
});

test('a scenario by URL on the same origin runs, is named in the header, and stays for the tab', async (t) => {
  const site = await serveSite({ '/labs/lab1.json': JSON.stringify(lab('Lab 1: two subscriptions')) });
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try?scenario=/labs/lab1.json`);
    let shown = await running(page);
    assert.match(shown.bar, new RegExp(`Scenario: Lab 1: two subscriptions — from ${site.origin}/labs/lab1.json`));
    assert.match(shown.summary, /^2 subscriptions:/);
    // A reload, and the demo's own address without the parameter: still Lab 1.
    await page.reload();
    assert.match((await running(page)).bar, /Lab 1/);
    await page.goto(`${site.origin}/try/audit`);
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    shown = await running(page);
    assert.match(shown.bar, /Lab 1/);
    assert.match(shown.summary, /^2 subscriptions:/);
  } finally {
    await context.close();
    await site.close();
  }
});

test('a scenario on another origin runs when it allows CORS and the CSP lists it; otherwise the error says which', async (t) => {
  const open = await otherOrigin(JSON.stringify(lab('Lab 2: from elsewhere', 3)), { 'Access-Control-Allow-Origin': '*' });
  const closed = await otherOrigin(JSON.stringify(lab('never shown')), {});
  const sites = [await siteAllowing(open.origin), await siteAllowing(closed.origin), await serveSite()];
  const [listsOpen, listsClosed, shippedCsp] = sites;
  try {
    // Allowed both ways: it runs.
    let { page, context, watch, expectProblem } = await watchedPage(t, browser);
    await page.goto(`${listsOpen.origin}/try?scenario=${encodeURIComponent(`${open.origin}/lab2.json`)}`);
    const shown = await running(page);
    assert.match(shown.bar, new RegExp(`Lab 2: from elsewhere — from ${open.origin}/lab2.json`));
    assert.match(shown.summary, /^3 subscriptions:/);
    await context.close();

    // Listed in the CSP, but the origin sends no CORS header.
    ({ page, context, expectProblem } = await watchedPage(t, browser));
    expectProblem(new RegExp(`^console\\.error: Access to fetch at '${closed.origin}/lab\\.json' from origin '${listsClosed.origin}' has been blocked by CORS policy`),
      'the other origin sends no CORS header, as the test arranged, and the browser logs its refusal');
    expectProblem(/^console\.error: Failed to load resource: net::ERR_FAILED$/, 'and the failed load that follows');
    await page.goto(`${listsClosed.origin}/try?scenario=${encodeURIComponent(`${closed.origin}/lab.json`)}`);
    let message = await refused(page);
    assert.match(message, /The scenario could not be loaded/);
    assert.match(message, new RegExp(`${closed.origin} did not answer, or does not allow this site to read it`));
    assert.match(message, new RegExp(`Access-Control-Allow-Origin: ${listsClosed.origin}`));
    await context.close();

    // Allows CORS, but the site's CSP (as shipped) does not list it.
    ({ page, context, watch, expectProblem } = await watchedPage(t, browser));
    expectProblem(new RegExp(`^csp: .*${open.origin}/lab2\\.json`), 'the shipped CSP does not list the other origin, as the test arranged');
    await page.goto(`${shippedCsp.origin}/try?scenario=${encodeURIComponent(`${open.origin}/lab2.json`)}`);
    message = await refused(page);
    assert.match(message, new RegExp(`Content-Security-Policy does not allow connecting to ${open.origin}`));
    assert.match(message, new RegExp(`must add ${open.origin} to the CSP's connect-src`));
    // The refusal is reported as a violation of connect-src, naming the file.
    await watch.waitFor(new RegExp(`^csp: connect-src blocked ${open.origin}/lab2\\.json$`));
    await context.close();
  } finally {
    await open.close();
    await closed.close();
    for (const site of sites) await site.close();
  }
});

test('a scenario from the file picker and one dropped on the page run, and a reload keeps the last', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    assert.match((await running(page)).bar, /Contoso — MDE Console demo tenant — built in \(demo\/scenario\.json\)/);
    await page.getByLabel('Load a scenario file').setInputFiles({
      name: 'lab3.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(lab('Lab 3: picked', 1))),
    });
    await page.getByText('Lab 3: picked — from the file lab3.json').waitFor();
    assert.match((await running(page)).summary, /^1 subscription/);

    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'lab4.json', { type: 'application/json' }));
      return transfer;
    }, JSON.stringify(lab('Lab 4: dropped', 2)));
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await page.getByText('Lab 4: dropped — from the file lab4.json').waitFor();
    assert.match((await running(page)).summary, /^2 subscriptions:/);

    await page.reload();
    assert.match((await running(page)).bar, /Lab 4: dropped — from the file lab4\.json/);
  } finally {
    await context.close();
    await site.close();
  }
});

test('a broken scenario is refused with its JSON path (or line and column), and nothing starts', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  try {
    await page.goto(`${site.origin}/try`);
    await running(page);
    const broken = lab('Broken', 4);
    broken.subscriptions[3].settings = [{ id: `${broken.subscriptions[3].subscription.id}/providers/Microsoft.Security/settings/WDATP`,
      name: 'WDATP', type: 'Microsoft.Security/settings', kind: 'DataExportSettings', properties: { enabled: 'yes' } }];
    await page.getByLabel('Load a scenario file').setInputFiles({
      name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken, null, 1)),
    });
    let message = await refused(page);
    assert.match(message, /This scenario cannot be loaded/);
    assert.match(message, /broken\.json is not a valid scenario: subscriptions\[3\]\.settings\[0\]\.properties\.enabled: expected a boolean, found string "yes" \(at line \d+, column \d+\)/);

    // Bad JSON, dropped on the error page: named by line and column.
    await page.getByLabel('Load a scenario file').setInputFiles({
      name: 'typo.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "name": "Typo",\n  "subscriptions": [,]\n}'),
    });
    await page.getByText(/typo\.json is not a valid scenario/).waitFor();
    message = await refused(page);
    assert.match(message, /typo\.json is not a valid scenario: \(file\): not valid JSON: .* line 3 column 21/);

    // A reload does not start the broken file (it was never kept), and the built-in one is a click away.
    await page.getByRole('button', { name: 'Start the built-in demo' }).click();
    assert.match((await running(page)).bar, /built in/);
  } finally {
    await context.close();
    await site.close();
  }
});

test('changes in the demo stay across a reload in the tab, and Reset the demo starts afresh', async (t) => {
  const site = await serveSite();
  const { page, context } = await watchedPage(t, browser);
  const subscription = 'Contoso Data Platform';
  try {
    await page.goto(`${site.origin}/try`);
    await running(page);
    await page.getByRole('link', { name: subscription }).click();
    await page.getByRole('heading', { name: subscription, level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Azure now reports WDATP = true.').waitFor();

    await page.reload();
    await page.getByRole('heading', { name: subscription, level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: true }).waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('row').filter({ hasText: subscription }).filter({ hasText: 'WDATP' }).first().waitFor();

    await page.getByRole('button', { name: 'Reset the demo' }).click();
    await page.getByText('No changes yet.').waitFor();
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByRole('link', { name: subscription }).click();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).waitFor();
    // And the reset lasts: a reload does not bring the change back.
    await page.reload();
    await page.getByRole('heading', { name: subscription, level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Defender for Endpoint integration (WDATP)', checked: false }).waitFor();
  } finally {
    await context.close();
    await site.close();
  }
});
