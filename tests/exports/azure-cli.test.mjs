// Every Azure CLI command the app exports or shows, parsed by the real Azure CLI (PyPI
// azure-cli, pinned in scripts/setup.sh, in .tools/venv): the bash exports of the demo's and
// the hostile plans (az and az rest, bulk and machine plans) and the subscription page's
// confirmation lines (hostile/change-az.sh). Each script runs in bash with a stub `az` that
// records its arguments; then one Python process hands every argument list to the CLI, signed
// out: a command the CLI accepts stops at "Please run 'az login'", one it refuses (an unknown
// or removed argument, a value out of its choices) fails with the parser's message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { exportsEndingIn, planOf, root, runWithStubAz, shortName, writesOf } from './tools.mjs';

const PYTHON = path.join(root, '.tools/venv/bin/python');
const SIGNED_OUT = "Please run 'az login' to setup account.";
/** The one warning a signed-out CLI gives a parsed command: it knows no subscription. */
const UNKNOWN_SUBSCRIPTION = /^Subscription '.*' not recognized\.$/s;

/** The CLI's verdict on each argument list, from one process. */
function azureCli(commands) {
  assert.ok(fs.existsSync(PYTHON), `${PYTHON} is missing: scripts/setup.sh --test installs azure-cli there`);
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-export-azure-'));
  try {
    const out = execFileSync(PYTHON, [path.join(root, 'tests/exports/az_parse.py')], {
      input: JSON.stringify(commands),
      env: {
        PATH: '/usr/bin:/bin',
        HOME: config,
        AZURE_CONFIG_DIR: config,
        AZURE_CORE_COLLECT_TELEMETRY: 'no',
        AZURE_CORE_NO_COLOR: 'true',
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out);
  } finally {
    fs.rmSync(config, { recursive: true, force: true });
  }
}

/** Every az call of every bash export and of change-az.sh: `{ file, args }`. */
function exportedCommands() {
  const commands = [];
  for (const file of exportsEndingIn('.sh')) {
    const { argv } = runWithStubAz(file);
    const plan = planOf(file);
    const expected = plan
      ? writesOf(plan).length
      : fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('az ')).length;
    assert.equal(argv.length, expected, `${shortName(file)}: one az call per write`);
    assert.ok(expected > 0, `${shortName(file)} calls az`);
    commands.push(...argv.map((args) => ({ file: shortName(file), args })));
  }
  return commands;
}

test('the Azure CLI accepts every command the app exports or shows', (t) => {
  const commands = exportedCommands();
  // What the CLI must refuse, so that a verdict of "accepted" means something: the syntax
  // azure-cli 2.61 removed, which the app wrote before.
  const refused = [
    ['security', 'setting', 'update', '--subscription=00000000-0000-4000-8000-000000000001', '--name', 'WDATP',
      '--setting-kind', 'DataExportSettings', '--enabled', 'true'],
    ['security', 'setting', 'update', '--name', 'WDATP', '--data-export-settings', 'enabled=maybe'],
  ];
  const verdicts = azureCli([...commands.map((c) => c.args), ...refused]);

  commands.forEach(({ file, args }, i) => {
    const { code, errors, warnings } = verdicts[i];
    const what = `${file}: az ${args.join(' ')}`;
    assert.deepEqual(errors, [SIGNED_OUT], `${what}: refused by the CLI`);
    assert.equal(code, 1, what);
    for (const warning of warnings) assert.match(warning, UNKNOWN_SUBSCRIPTION, `${what}: warns`);
  });
  const [removed, badValue] = verdicts.slice(commands.length);
  assert.equal(removed.code, 2);
  assert.deepEqual(removed.errors, ['unrecognized arguments: --setting-kind DataExportSettings --enabled true']);
  assert.notDeepEqual(badValue.errors, [SIGNED_OUT], 'a value out of its choices is refused');

  t.diagnostic(`${commands.length} commands from ${new Set(commands.map((c) => c.file)).size} scripts`);
  // Every kind of command the exports write met the CLI.
  const kinds = new Set(commands.map(({ args }) => args.slice(0, 3).join(' ')));
  for (const kind of [
    'security setting update',
    'security pricing create',
    'rest --method put',
    'rest --method patch',
    'rest --method delete',
    'tag update --resource-id',
    'vm extension delete',
    'resource delete --ids',
  ]) {
    assert.ok(kinds.has(kind), `no ${kind} command was checked: ${[...kinds].join(', ')}`);
  }
});
