// Trusted Types: the served page requires them for every script sink. Its one policy lets
// through markup with nothing active in it (Leptos writes the static parts of views through
// innerHTML) and the site's own script URLs (its workers), and never script text. So even an
// injection that reached a DOM sink could not run; and the app itself runs without a single
// violation (the harness fails every e2e test on one it did not declare).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveSite, launch, watchedPage } from './harness.mjs';

let browser, site;
before(async () => { browser = await launch(); site = await serveSite(); });
after(async () => { await browser?.close(); await site?.close(); });

test('the page requires Trusted Types: HTML and foreign script URLs are refused, the demo runs clean', async (t) => {
  const { page, context, watch, problems, expectProblem } = await watchedPage(t, browser);
  // The refused attempts below are reported as violations (and their console messages); the
  // harness fails the test on any other problem.
  expectProblem(/^csp: .*(TrustedScript|TrustedHTML|TrustedTypePolicy|trusted-types)/,
    'the test tries each Trusted Types sink on purpose, and the page refuses it');
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
    // The refusals of the directives themselves are reported as violations (the page's policy
    // refuses the markup and the foreign worker by throwing, which the browser does not report).
    await watch.waitFor(/^csp: require-trusted-types-for blocked /);
    await watch.waitFor(/^csp: trusted-types blocked /);
    const violations = problems.filter((p) => p.kind === 'csp' && / blocked /.test(p.text)).map((p) => p.text).sort();
    assert.deepEqual(violations, ['require-trusted-types-for blocked trusted-types-sink', 'trusted-types blocked trusted-types-policy']);
  } finally {
    await context.close();
  }
});
