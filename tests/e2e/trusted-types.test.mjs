// Trusted Types: the served page requires them for every script sink. Its one policy lets
// through markup with nothing active in it (Leptos writes the static parts of views through
// innerHTML) and the site's own script URLs (its workers), and never script text. So even an
// injection that reached a DOM sink could not run; and the app itself runs without a single
// violation (every e2e test watches for those).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveSite, launch, watchedPage } from './harness.mjs';

let browser, site;
before(async () => { browser = await launch(); site = await serveSite(); });
after(async () => { await browser?.close(); await site?.close(); });

test('the page requires Trusted Types: HTML and foreign script URLs are refused, the demo runs clean', async () => {
  const { page, context, problems } = await watchedPage(browser);
  try {
    await page.goto(`${site.origin}/try/machines`);
    await page.getByRole('status').filter({ hasText: /machines, from/ }).waitFor({ timeout: 30_000 });
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp, /require-trusted-types-for 'script'/);
    assert.match(csp, /trusted-types default(;|$)/);

    const sinks = await page.evaluate(() => {
      const attempt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.name; } };
      return {
        staticMarkup: attempt(() => { document.createElement('div').innerHTML = '<p>Static <a href="/try">text</a></p>'; }),
        innerHTML: attempt(() => { document.createElement('div').innerHTML = '<img src=x onerror=alert(1)>'; }),
        scriptLink: attempt(() => { document.createElement('div').innerHTML = '<a href="java&#x09;script:alert(1)">x</a>'; }),
        scriptText: attempt(() => { document.createElement('script').textContent = 'alert(1)'; }),
        foreignWorker: attempt(() => new Worker('https://attacker.example/worker.js')),
        ownWorker: attempt(() => new Worker('demo-tenant_loader.js').terminate()),
        anotherPolicy: attempt(() => trustedTypes.createPolicy('mine', { createHTML: (s) => s })),
      };
    });
    assert.deepEqual(sinks, {
      staticMarkup: 'allowed',
      innerHTML: 'TypeError',
      scriptLink: 'TypeError',
      scriptText: 'TypeError',
      foreignWorker: 'TypeError',
      ownWorker: 'allowed',
      anotherPolicy: 'TypeError',
    });
    // The refused attempts above are reported as violations; nothing else is.
    assert.ok(problems.csp.every((v) => /trusted-types|require-trusted-types-for/.test(v)), problems.csp.join('\n'));
    assert.deepEqual([problems.console.filter((m) => !/Trusted Type|TrustedScriptURL|TrustedHTML|TrustedScript|policy/i.test(m)), problems.errors], [[], []]);
  } finally {
    await context.close();
  }
});
