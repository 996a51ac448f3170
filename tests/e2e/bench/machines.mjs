// The machines page in headless Chromium, as a user meets it: the release site signed in against
// the fake Azure server holding a generated tenant (every subscription moved into the signed-in
// tenant). Once the overview has loaded (its coverage query too), a click on "Machines"; then,
// for each tenant size:
//   - the first page: from the first Resource Graph answer's arrival (its Resource Timing
//     responseEnd) to the end of the first frame showing rows (goal 300 ms), with the moments
//     between (the next page asked for, the first instance-view read, the rows in the DOM);
//   - the whole load: from the click until the frame showing "N machines, from Resource Graph",
//     the main thread's time meanwhile (Performance.getMetrics, as overview.mjs), Resource
//     Graph's answers end to end and the ARM instance-view reads of failed VM extensions;
//   - keystrokes in the search: realistic words typed one key at a time (CDP key events, so
//     the page gets trusted keydown/input/keyup), each word then cleared (Ctrl+A, Backspace).
//     A keystroke lasts from its input event's timeStamp until the end of the frame showing its
//     last DOM change (the next frame when the work is synchronous); Chromium's Event Timing
//     (what INP is made of: input to next paint, 8 ms steps, only entries >= 16 ms) is printed
//     beside it. Goal 50 ms, budget 100 ms;
//   - scrolling: the table's box scrolled to the bottom in 40 steps, one per frame (dragging the
//     scroll thumb), then a wheel-like fling of 100 px a frame; the frame intervals (rAF
//     timestamps) and how many frames showed a blank band (a spacer in the window);
//   - where the main thread went in each phase (script, layout, style, the rest);
//   - memory once loaded, after a garbage collection: the JS heap and the wasm's linear memory.
// A frame's end is a task posted from a requestAnimationFrame callback: it runs once the frame's
// style, layout and paint are done. A perpetual rAF loop keeps the frames coming and records them.
// Figures over their goal print OVER; the process does not fail on them.
//
// --profile samples the main thread (CDP Profiler) in each phase and prints the hot functions,
// and the app's own functions by total time. The shipped wasm has no name section (wasm-opt
// strips it), so with --profile the site serves the same build split again by
// scripts/split-build.sh with SPLIT_KEEP_NAMES (`wasm-opt -Oz -g`, which keeps the names): it
// must be the build in dist/ (the script checks), so run `trunk build --release` just before.
//
// Usage: node tests/e2e/bench/machines.mjs [--tenants 200:11000,2000:55000] [--latency-ms 0] [--profile] [--cpu-time]
//   (subscriptions:machines generated; the generator's disabled and deleted subscriptions leave
//   about 10,000 and 50,000 in the table). Not a *.test.mjs: the test suite does not run it;
//   `make bench` does. About 3 minutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { root, serveSite, startFakeAzure } from '../harness.mjs';
import { chromiumVersion, configFor, fakeBin, openChromium, signIn } from './chromium.mjs';

const KEY_GOAL = 50;
const KEY_BUDGET = 100;
const FIRST_PAGE_GOAL = 300;
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const tenants = option('--tenants', '200:11000,2000:55000').split(',').map((t) => {
  const [subscriptions, machines] = t.split(':').map(Number);
  return { subscriptions, machines };
});
const latency = Number(option('--latency-ms', '0'));
const profiling = process.argv.includes('--profile');
// timeTicks (the default): tasks' wall time; threadTicks: the main thread's CPU time, which a
// busy machine does not inflate.
const timeDomain = process.argv.includes('--cpu-time') ? 'threadTicks' : 'timeTicks';

// A name prefix, an OS and a word of an extension's error, each cleared after; fewer at 50,000.
const WORDS = { small: ['web-w01', 'ubuntu', 'python'], large: ['ubuntu', 'web-w1'] };

/** The generator's tenant with every subscription in the signed-in (first) tenant. */
function scenarioFile({ subscriptions, machines }) {
  const generated = JSON.parse(execFileSync(fakeBin,
    ['generate', '--subscriptions', String(subscriptions), '--machines', String(machines), '--seed', '7'],
    { maxBuffer: 1 << 30 }));
  const home = generated.tenants[0].tenantId;
  for (const entry of generated.subscriptions) entry.subscription.tenantId = home;
  const file = path.join(os.tmpdir(), `mde-bench-machines-${subscriptions}-${machines}.json`);
  fs.writeFileSync(file, JSON.stringify(generated));
  return file;
}

// In the page, from its start: the wasm's memory, the frames (rAF start, end of rendering), the
// Event Timing entries, and the watches each phase uses.
const INSTRUMENT = `(${() => {
  addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; });
  const bench = { frames: [], events: [], keys: [] };
  window.__bench = bench;
  const loop = (start) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => bench.frames.push({ start, end: performance.now() });
    channel.port2.postMessage(null);
    if (bench.frames.length > 20_000) bench.frames.splice(0, 10_000);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.events.push({ name: e.name, start: e.startTime, duration: e.duration });
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  /** When the frame showing what was in the DOM at `t` was done (its rendering ended). */
  bench.shown = (t) => new Promise((ok) => {
    const look = () => {
      const frame = bench.frames.find((f) => f.end > t && f.start >= t - 1000);
      if (frame) ok(frame.end); else setTimeout(look, 5);
    };
    look();
  });
  /** How many frames in the next `ms` milliseconds, with nothing else going on. */
  bench.idle = (ms) => new Promise((ok) => {
    const from = bench.frames.length;
    setTimeout(() => ok(bench.frames.length - from), ms);
  });
  const summary = () => document.querySelector('.summary')?.textContent.trim() ?? '';

  // The load, from the click on "Machines": Resource Graph's answers, the instance-view reads,
  // the first rows in the DOM and the complete summary.
  bench.watchLoad = () => {
    const load = { click: performance.now(), graph: [], instanceViews: [] };
    bench.load = load;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const at = { url: e.name, start: e.startTime, end: e.responseEnd };
        if (e.name.includes('/providers/Microsoft.ResourceGraph/resources')) load.graph.push(at);
        else if (e.name.includes('instanceView')) load.instanceViews.push(at);
      }
    }).observe({ type: 'resource' });
    const look = new MutationObserver(() => {
      if (load.rowsInDom === undefined && document.querySelector('table.machines tbody tr')) {
        load.rowsInDom = performance.now();
        load.firstSummary = summary();
        bench.shown(load.rowsInDom).then((t) => { load.rowsShown = t; });
      }
      if (load.done === undefined && /^\d+ machines, from Resource Graph$/.test(summary())) {
        load.done = performance.now();
        load.summary = summary();
        look.disconnect();
        bench.shown(load.done).then((t) => { load.doneShown = t; });
      }
    });
    look.observe(document.body, { subtree: true, childList: true, characterData: true });
  };

  // Keystrokes: each input event's timeStamp, and the last DOM change after it.
  const search = () => document.querySelector('form.filters input[type=search]');
  let current;
  bench.watchKeys = () => {
    search().addEventListener('input', (e) => {
      current = { start: e.timeStamp, handled: performance.now(), lastChange: performance.now(), value: e.target.value };
      bench.keys.push(current);
    }, { capture: true });
    // The result of a keystroke is the table and its count; the charts follow the rows a few
    // times a second by design (see src/pages/machines.rs, `settle`), so they are left out.
    const changed = new MutationObserver(() => { if (current) current.lastChange = performance.now(); });
    for (const shown of [document.querySelector('table.machines'), document.querySelector('.table-tools')]) {
      changed.observe(shown, { subtree: true, childList: true, characterData: true, attributes: true });
    }
    search().focus();
  };
  /** Resolves once the last keystroke's changes have been quiet for `quietMs`, with its figures. */
  bench.keySettled = (quietMs) => new Promise((ok) => {
    const key = current;
    const wait = () => {
      if (performance.now() - key.lastChange < quietMs) return setTimeout(wait, 20);
      Promise.all([bench.shown(key.handled), bench.shown(key.lastChange)]).then(([next, shown]) => {
        const events = bench.events.filter((e) => e.start >= key.start - 50 && e.start <= key.lastChange);
        ok({
          value: key.value, nextFrame: next - key.start, shown: shown - key.start,
          eventTiming: events.length ? Math.max(...events.map((e) => e.duration)) : 0,
          status: document.querySelector('.table-tools [role=status]')?.textContent,
        });
      });
    };
    wait();
  });

  // Scrolling: one scroll per frame to `to(i)` for i in 1..=steps; the intervals between frames
  // and the frames painted with a spacer (rows not yet rendered) in the window.
  bench.scroll = (steps, to) => new Promise((ok) => {
    const intervals = [];
    let blank = 0;
    let last;
    let i = 0;
    // The table scrolls in its own box (.machines-box): a spacer is blank if it shows in it.
    const box = document.querySelector('.machines-box');
    const shown = box.getBoundingClientRect();
    const spacerInView = () => [...document.querySelectorAll('table.machines tr.spacer')].some((s) => {
      const r = s.getBoundingClientRect();
      return Math.min(r.bottom, shown.bottom, innerHeight) - Math.max(r.top, shown.top, 0) > 1;
    });
    // A scroll lands between frames, as a user's does: the next frame's scroll event lets the
    // page render the rows before that frame paints.
    const step = (t) => {
      if (last !== undefined) intervals.push(t - last);
      last = t;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        if (i > 0 && spacerInView()) blank += 1;
        if (i++ >= steps) {
          ok({ intervals, blank, rows: document.querySelectorAll('table.machines tbody tr').length });
          return;
        }
        box.scrollTo(0, to(i));
        requestAnimationFrame(step);
      };
      channel.port2.postMessage(null);
    };
    requestAnimationFrame(step);
  });
}})()`;

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const median = (v) => quantile(v, 0.5);
const ms = (v) => (v === undefined ? '–' : `${Math.round(v)} ms`);
const verdict = (v, goal, budget = goal) => (v <= goal ? 'PASS' : v <= budget ? 'OVER goal' : 'OVER');

const frameName = (f) => {
  const where = f.url ? ` ${f.url.startsWith('wasm://') ? 'wasm' : path.basename(f.url)}` : '';
  return `${f.functionName || '(anonymous)'}${where}`;
};
/** The app's own functions (the wasm's name section), whose total time says which part of the page is costly. */
const APP = /^(mde_core|mde_console)::/;

/**
 * From a CDP Profiler profile: self time by function, the `top` heaviest, and the total time
 * (self and callees) of the app's own functions.
 */
function hotFunctions(profile, top = 15, [from, to] = [-Infinity, Infinity]) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    if (at < from || at > to) return;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const f = byNode.get(id).callFrame;
    if (f.functionName === '(idle)') return;
    self.set(frameName(f), (self.get(frameName(f)) ?? 0) + dt);
    total += dt;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const name = byNode.get(n).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '');
      if (APP.test(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      }
    }
  });
  const heaviest = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { total, top: heaviest(self), app: heaviest(inclusive) };
}

// Performance.getMetrics' durations (seconds) and counts, as a phase's difference.
const SPENT = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'LayoutCount', 'RecalcStyleCount'];
const allMetrics = async (page) =>
  Object.fromEntries((await page('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

/** Runs `work`, with the main thread's time meanwhile and, with --profile, its hot functions. */
async function phase(page, work) {
  if (profiling) {
    await page('Profiler.enable');
    await page('Profiler.setSamplingInterval', { interval: 250 });
    await page('Profiler.start');
  }
  // The page's clock when the profile starts, to find a moment of the page in the profile.
  const pageAtStart = profiling
    ? (await page('Runtime.evaluate', { expression: 'performance.now()', returnByValue: true })).result.value : 0;
  const before = await allMetrics(page);
  const result = await work();
  const after = await allMetrics(page);
  const spent = Object.fromEntries(SPENT.map((m) => [m, after[m] - before[m]]));
  if (!profiling) return { result, spent };
  const { profile } = await page('Profiler.stop');
  /** The hot functions between two moments of the page's clock (ms). */
  const between = (from, to) =>
    hotFunctions(profile, 15, [from, to].map((t) => profile.startTime + (t - pageAtStart) * 1000));
  return { result, spent, hot: hotFunctions(profile), between };
}

const KEYS = { '-': 'Minus' };
/** One key as a user types it: keyDown (with its text: keypress and input follow), keyUp. */
async function press(page, char) {
  const code = KEYS[char] ?? (/\d/.test(char) ? `Digit${char}` : `Key${char.toUpperCase()}`);
  const vk = char === '-' ? 189 : char.toUpperCase().charCodeAt(0);
  await page('Input.dispatchKeyEvent', { type: 'keyDown', key: char, code, text: char, windowsVirtualKeyCode: vk });
  await page('Input.dispatchKeyEvent', { type: 'keyUp', key: char, code, windowsVirtualKeyCode: vk });
}

async function clear(page) {
  await page('Input.dispatchKeyEvent', {
    type: 'keyDown', key: 'a', code: 'KeyA', modifiers: 2, windowsVirtualKeyCode: 65, commands: ['selectAll'],
  });
  await page('Input.dispatchKeyEvent', { type: 'keyUp', key: 'a', code: 'KeyA', modifiers: 2, windowsVirtualKeyCode: 65 });
  await page('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Backspace', code: 'Backspace', windowsVirtualKeyCode: 8 });
  await page('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Backspace', code: 'Backspace', windowsVirtualKeyCode: 8 });
}

async function typeWords(page, value, words) {
  const keys = [];
  const settle = async () => keys.push(await value('__bench.keySettled(300)'));
  for (const word of words) {
    for (const char of word) {
      await press(page, char);
      await settle();
    }
    await clear(page);
    await settle();
  }
  return keys;
}

/** In the page: GETs of `urls` with the session's token, `inFlight` at once; how long they took. */
const bareFetches = async (urls, inFlight) => {
  const key = Object.keys(sessionStorage).find((k) => k.startsWith('mde.tokens.'));
  const headers = { Authorization: `Bearer ${JSON.parse(sessionStorage.getItem(key)).access_token}` };
  const queue = [...urls];
  const start = performance.now();
  const worker = async () => {
    // A query of its own: the preflight the app's request had is not cached for it.
    for (let url; (url = queue.pop());) {
      await (await fetch(`${url}&bench=${Math.random()}`, { headers, credentials: 'omit' })).arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return performance.now() - start;
};

async function run(site, overrides, tenant) {
  const scenario = scenarioFile(tenant);
  const fake = await startFakeAzure(['--scenario', scenario, '--app-origin', site.origin, '--auto-approve',
    '--latency-ms', String(latency)]);
  overrides['/config.json'] = configFor(fake);
  const chromium = await openChromium();
  const { page, value, until } = chromium;
  let at = Date.now();
  const mark = (what) => {
    process.stderr.write(`    ${what}: ${((Date.now() - at) / 1000).toFixed(1)} s\n`);
    at = Date.now();
  };
  try {
    await page('Page.enable');
    await page('Page.addScriptToEvaluateOnNewDocument', { source: INSTRUMENT });
    await signIn(chromium, site.origin);
    await until(`/^\\d+ subscriptions: \\d+ On, \\d+ Partial, \\d+ On — no plan, \\d+ Off$/.test(
      document.querySelector('.summary')?.textContent.trim())`, 600_000, 'the complete overview');
    // The overview's coverage query runs on after its summary is complete: let it end, so the
    // machines' load has the fake and the page to itself.
    for (let seen = -1; seen !== fake.log.length; await new Promise((ok) => setTimeout(ok, 1000))) seen = fake.log.length;
    mark('signed in, the overview loaded');

    // The load, from the click on "Machines".
    await page('Performance.enable', { timeDomain });
    const loading = await phase(page, async () => {
      await value(`__bench.watchLoad(); [...document.querySelectorAll('a')].find((a) => a.textContent === 'Machines').click()`);
      await until('__bench.load.doneShown !== undefined', 600_000, 'every machine');
    });
    const load = await value('__bench.load');
    const machines = Number(load.summary.match(/^\d+/)[0]);
    const firstAnswer = Math.min(...load.graph.map((g) => g.end));
    const reads = load.instanceViews.filter((v) => v.start >= firstAnswer && v.end <= load.rowsInDom);
    // The same reads as bare fetch() calls from a script, 8 in flight: what they cost without the app.
    const bareReads = await value(`(${bareFetches})(${JSON.stringify(reads.map((r) => r.url))}, 8)`);

    mark('machines loaded');
    await new Promise((ok) => setTimeout(ok, 500));
    await page('HeapProfiler.collectGarbage');
    const heap = await page('Runtime.getHeapUsage');
    const { Nodes: nodes } = await allMetrics(page);
    const wasmMemory = await value('window.__wasmMemory?.buffer.byteLength');

    // What a frame costs with nothing happening (the rAF loop's own frames), for comparison.
    const idle = await phase(page, () => value('__bench.idle(1000)'));

    // Keystrokes in the search.
    await value('__bench.watchKeys()');
    const words = machines > 20_000 ? WORDS.large : WORDS.small;
    const typing = await phase(page, () => typeWords(page, value, words));
    mark('typed');

    // Scrolling: to the bottom in 40 steps, then back to the middle and a fling of 90 frames.
    await value("document.querySelector('.machines-box').scrollIntoView(), 0");
    const height = await value("(() => { const box = document.querySelector('.machines-box'); return box.scrollHeight - box.clientHeight; })()");
    const thumb = await phase(page, () => value(`__bench.scroll(40, (i) => ${height} * i / 40)`));
    const middle = Math.round(height / 2);
    await value(`document.querySelector('.machines-box').scrollTo(0, ${middle}); new Promise((ok) => setTimeout(ok, 300))`);
    const fling = await phase(page, () => value(`__bench.scroll(90, (i) => ${middle} + 100 * i)`));

    mark('scrolled');
    const firstPageHot = profiling ? loading.between(firstAnswer, load.rowsShown) : undefined;
    return { machines, load, firstAnswer, reads, bareReads, heap, wasmMemory, nodes, idle, loading, firstPageHot, typing, thumb, fling };
  } finally {
    await chromium.close();
    fake.stop();
    fs.rmSync(scenario, { force: true }); // 110 MB at 50,000 machines
  }
}

/** With --profile: the same build with its function names (see the header). */
function namedBuild(overrides) {
  const dist = path.join(root, 'dist');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-bench-named-'));
  execFileSync(path.join(root, 'scripts/split-build.sh'), {
    cwd: root, stdio: 'inherit',
    env: { ...process.env, TRUNK_STAGING_DIR: out, TRUNK_PROFILE: 'release', SPLIT_KEEP_NAMES: '1' },
  });
  // Each file's part after the build's hash (".js", "_bg.wasm", "-split.js", "-{module}.wasm").
  const build = (name) => name.match(/^mde-console-([0-9a-f]+)/)?.[1];
  const role = (name) => name.replace(/^mde-console-[0-9a-f]+/, '');
  const shipped = new Map(fs.readdirSync(dist).filter(build).map((name) => [role(name), name]));
  for (const name of fs.readdirSync(out)) {
    const target = shipped.get(role(name));
    if (!target) throw new Error(`${name} has no counterpart in dist/: run \`trunk build --release\` again`);
    const bytes = fs.readFileSync(path.join(out, name));
    if (name.endsWith('.wasm')) {
      overrides[`/${target}`] = bytes;
    } else if (bytes.toString().replaceAll(build(name), build(target)) !== fs.readFileSync(path.join(dist, target), 'utf8')) {
      throw new Error('the app built now is not the build in dist/ (their JS glue differs): run `trunk build --release` again');
    }
  }
  fs.rmSync(out, { recursive: true, force: true });
}

const overrides = {};
if (profiling) namedBuild(overrides);
const site = await serveSite(overrides);
const results = [];
try {
  for (const tenant of tenants) {
    const started = Date.now();
    const r = await run(site, overrides, tenant);
    results.push(r);
    process.stderr.write(`  ${r.machines} machines in ${tenant.subscriptions} subscriptions: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
} finally {
  await site.close();
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;
const sec = (seconds) => `${seconds.toFixed(2)} s`;
console.log(`machines page in headless ${chromiumVersion()}, fake ARM latency ${latency} ms` +
  `${profiling ? ', under the CDP profiler (named wasm)' : ''}`);
console.log('');
console.log(`first page: from the first Resource Graph answer (responseEnd) to the end of the first frame showing rows (goal ${FIRST_PAGE_GOAL} ms);`);
console.log('reads: the ARM instance-view reads done between them (and the same URLs as bare fetch() calls, 8 in flight);');
console.log('load: from the click on "Machines" to the frame showing "N machines, from Resource Graph"; main thread: Performance.getMetrics; memory and DOM nodes once loaded, after a GC');
console.log('first page, after its answer: the next page asked for (the answer parsed), the first instance-view read, the rows in the DOM, the frame done');
for (const r of results) {
  const after = (t) => (t === undefined ? '–' : `+${Math.round(t - r.firstAnswer)}`);
  const graph = [...r.load.graph].sort((a, b) => a.start - b.start);
  const read = r.load.instanceViews.filter((v) => v.start >= r.firstAnswer).sort((a, b) => a.start - b.start)[0];
  console.log(`  ${r.machines} machines: answer ${Math.round(r.firstAnswer - r.load.click)} ms after the click; then next page ${after(graph[1]?.start)}, ` +
    `first read ${after(read?.start)}, rows in the DOM ${after(r.load.rowsInDom)}, frame done ${after(r.load.rowsShown)} ms`);
}
console.log('| machines | first page | verdict | reads: count, done after, bare | rows then | load | Resource Graph pages, their answers end to end | instance-view reads | main thread | script | layout | style | JS heap | wasm memory | DOM nodes |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const first = r.load.rowsShown - r.firstAnswer;
  const reads = r.reads.length
    ? `${r.reads.length}, ${ms(Math.max(...r.reads.map((v) => v.end)) - r.firstAnswer)}, ${ms(r.bareReads)}` : '0';
  const s = r.loading.spent;
  console.log(`| ${r.machines} | ${ms(first)} | ${verdict(first, FIRST_PAGE_GOAL)} | ${reads} | ${r.load.firstSummary} | ` +
    `${sec((r.load.doneShown - r.load.click) / 1000)} | ${r.load.graph.length}, ${sec(r.load.graph.reduce((t, g) => t + g.end - g.start, 0) / 1000)} | ` +
    `${r.load.instanceViews.length} | ${sec(s.TaskDuration)} | ${sec(s.ScriptDuration)} | ` +
    `${sec(s.LayoutDuration)} | ${sec(s.RecalcStyleDuration)} | ${mb(r.heap.usedSize)} | ${r.wasmMemory ? mb(r.wasmMemory) : '–'} | ${r.nodes} |`);
}
console.log('');
console.log(`keystrokes in the search: input event to the end of the frame showing the result (goal ${KEY_GOAL} ms, budget ${KEY_BUDGET} ms);`);
console.log('Event Timing: Chromium\'s own input-to-next-paint of the slowest keystroke (entries under 16 ms are not reported)');
console.log('| machines | keystrokes | median | p95 | max | verdict (p95) | next frame, median / max | Event Timing max | slowest |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const keys = r.typing.result;
  const shown = keys.map((k) => k.shown);
  const next = keys.map((k) => k.nextFrame);
  const slowest = keys.reduce((a, b) => (b.shown > a.shown ? b : a));
  console.log(`| ${r.machines} | ${keys.length} | ${ms(median(shown))} | ${ms(quantile(shown, 0.95))} | ${ms(Math.max(...shown))} | ` +
    `${verdict(quantile(shown, 0.95), KEY_GOAL, KEY_BUDGET)} | ${ms(median(next))} / ${ms(Math.max(...next))} | ` +
    `${ms(Math.max(...keys.map((k) => k.eventTiming)))} | "${slowest.value}" (${slowest.status}) |`);
}
console.log('');
console.log('scrolling: one scroll per frame; frame interval between rAF callbacks (16.7 ms at 60 Hz); blank: frames painted with unrendered rows in the window');
console.log('| machines | scroll | frames | median | p95 | max | blank frames | rows in the DOM |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  for (const [what, { result: s }] of [['to the bottom in 40 steps', r.thumb], ['fling, 100 px a frame', r.fling]]) {
    console.log(`| ${r.machines} | ${what} | ${s.intervals.length} | ${ms(median(s.intervals))} | ` +
      `${ms(quantile(s.intervals, 0.95))} | ${ms(Math.max(...s.intervals))} | ${s.blank} | ${s.rows} |`);
  }
}
console.log('');
console.log('where the main thread went (Performance.getMetrics; other = task - script - layout - style: DOM calls, paint, commit, GC), ' +
  'per frame (idle: frames with nothing to do) or per keystroke (with the ~20 frames of waiting after it):');
console.log('| machines | phase | per | task | script | layout | style | other | layouts | style recalcs |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const phases = [['idle, 1 s', r.idle, r.idle.result], ['keystrokes', r.typing, r.typing.result.length], ['to the bottom', r.thumb, r.thumb.result.intervals.length],
    ['fling', r.fling, r.fling.result.intervals.length]];
  for (const [what, { spent: s }, n] of phases) {
    const each = (seconds) => ms((1000 * seconds) / n);
    const other = s.TaskDuration - s.ScriptDuration - s.LayoutDuration - s.RecalcStyleDuration;
    console.log(`| ${r.machines} | ${what} | ${n} | ${each(s.TaskDuration)} | ${each(s.ScriptDuration)} | ${each(s.LayoutDuration)} | ` +
      `${each(s.RecalcStyleDuration)} | ${each(other)} | ${s.LayoutCount} | ${s.RecalcStyleCount} |`);
  }
}
if (profiling) {
  for (const r of results) {
    const phases = [['first page (answer to rows shown)', { hot: r.firstPageHot }], ['load', r.loading], ['keystrokes', r.typing],
      ['scroll to the bottom', r.thumb], ['fling', r.fling]];
    for (const [what, { hot }] of phases) {
      console.log('');
      console.log(`hot functions, ${r.machines} machines, ${what} (self time, ${sec(hot.total / 1000)} sampled on the main thread):`);
      for (const [name, t] of hot.top) console.log(`  ${ms(t).padStart(8)}  ${(100 * t / hot.total).toFixed(1).padStart(5)} %  ${name}`);
      console.log('  the app\'s functions by total time (with what they call):');
      for (const [name, t] of hot.app) console.log(`  ${ms(t).padStart(8)}  ${(100 * t / hot.total).toFixed(1).padStart(5)} %  ${name}`);
    }
  }
}
