// A scenario loaded by URL (/try?scenario=…) has a size cap (src/browser/demo.rs,
// MAX_SCENARIO_BYTES, 16 MB): a link must not make the page download and parse whatever a
// server sends. Refused by the size its server states, before the body is read; and by the size
// read, when the server states none. The message says how large it is and what to do instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { launch, watchedPage, root, dist, indexForTests } from './harness.mjs';

const LIMIT = 16 * 1024 * 1024;
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The shipped scenario padded with spaces (valid JSON still) to `bytes`. */
function padded(bytes) {
  const text = fs.readFileSync(path.join(root, 'public/demo/scenario.json'), 'utf8');
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

/**
 * The site, with three labs: `big.json` (17 MB, its length stated), `streamed.json` (the same,
 * in chunks with no stated length) and `fits.json` (just under the cap).
 */
async function siteWithLabs() {
  const big = padded(LIMIT + 1024 * 1024);
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/labs/big.json' || pathname === '/labs/fits.json') {
      const body = pathname === '/labs/big.json' ? big : padded(LIMIT - 1024);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      return res.end(body);
    }
    if (pathname === '/labs/streamed.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked: no Content-Length
      for (let i = 0; i < big.length; i += 1 << 20) res.write(big.slice(i, i + (1 << 20)));
      return res.end();
    }
    const file = path.join(dist, path.normalize(decodeURIComponent(pathname)));
    if (path.extname(pathname) && file.startsWith(dist) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      return fs.createReadStream(file).pipe(res);
    }
    if (path.extname(pathname)) { res.writeHead(404); return res.end('not found'); }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(indexForTests());
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** The alert the demo page shows for a scenario it could not load. */
async function refusal(page) {
  const alert = page.getByRole('alert').filter({ hasText: /scenario/ });
  await alert.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('table.subscriptions').count(), 0, 'no overview');
  return (await alert.textContent()).replace(/\s+/g, ' ');
}

test('a scenario by URL over 16 MB is refused with its size, stated or read; one under it runs', async (t) => {
  const site = await siteWithLabs();
  try {
    for (const lab of ['big.json', 'streamed.json']) {
      const { page, context } = await watchedPage(t, browser);
      await page.goto(`${site.origin}/try?scenario=/labs/${lab}`);
      const message = await refusal(page);
      assert.match(message, new RegExp(`${site.origin}/labs/${lab} is 17\\.0 MB: a scenario loaded by URL may be at most 16 MB`));
      assert.match(message, /Load a larger one from your computer instead/);
      await context.close();
    }
    const { page, context } = await watchedPage(t, browser);
    await page.goto(`${site.origin}/try?scenario=/labs/fits.json`);
    await page.getByRole('status').filter({ hasText: /subscriptions:/ }).waitFor({ timeout: 60_000 });
    await context.close();
  } finally {
    await site.close();
  }
});
