// Takes the README's screenshot of the demo overview (and of any path given) in headless Chromium.
import path from 'node:path';
import { serveSite, launch, root } from './harness.mjs';

const target = process.argv[2] ?? '/try';
const out = process.argv[3] ?? path.join(root, 'docs/overview.png');
const site = await serveSite();
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${site.origin}${target}`);
await page.waitForFunction(() => document.querySelector('.summary')?.textContent.includes('subscriptions:')
  && !document.querySelector('table.subscriptions .pending'));
await page.waitForTimeout(1500);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
await site.close();
console.log(`wrote ${out}`);
