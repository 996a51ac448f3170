// What the export checks share: where the reviewed exports are (tests/golden/exports, the
// demo's plans, and hostile/, the hostile test plans, both written and checked by
// `cargo test`), the plan each file was made from, the npm packages (installed in tests/e2e),
// and a bash run with a stub `az`.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const goldenDir = path.join(root, 'tests/golden/exports');
export const require = createRequire(path.join(root, 'tests/e2e/package.json'));

/** Each format's file-name ending, longest first, as `Format::suffix` has them. */
const SUFFIXES = ['-azurerm.tf', '-azapi.tf', '-arm.json', '-rest.sh', '.bicep', '.json', '.ps1', '.sh'];

/** The reviewed exports ending in `suffix` (demo and hostile), as absolute paths. */
export function exportsEndingIn(suffix) {
  return [goldenDir, path.join(goldenDir, 'hostile')].flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((name) => name.endsWith(suffix) && !name.endsWith('.plan.json'))
      .filter((name) => suffix !== '.json' || !name.endsWith('-arm.json'))
      .sort()
      .map((name) => path.join(dir, name)),
  );
}

/** The plan an export was made from (`x.plan.json` beside `x.sh`), or null (change-az.sh). */
export function planOf(file) {
  const name = path.basename(file);
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  const planFile = path.join(path.dirname(file), `${name.slice(0, -suffix.length)}.plan.json`);
  return fs.existsSync(planFile) ? JSON.parse(fs.readFileSync(planFile, 'utf8')) : null;
}

/** Short name for messages: `hostile/mde-plan-fix.sh`. */
export function shortName(file) {
  return path.relative(goldenDir, file);
}

/** The writes of a plan, bulk or machines, in order: `{ subscriptionId, write }` entries. */
export function writesOf(plan) {
  if (plan.items.some((item) => 'machineId' in item)) {
    return plan.items.filter((item) => item.write).map((item) => ({ item, write: item.write }));
  }
  return plan.items.flatMap((item) => item.writes.map((write) => ({ item, write })));
}

/**
 * Runs `script` with bash, PATH holding only a stub `az` that records its argv: each call's
 * arguments (as UTF-8 strings) and the script's output.
 */
export function runWithStubAz(script, env = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-export-az-'));
  try {
    const bin = path.join(dir, 'bin');
    const calls = path.join(dir, 'calls');
    fs.mkdirSync(bin);
    fs.mkdirSync(calls);
    fs.writeFileSync(
      path.join(bin, 'az'),
      // Bash builtins only: with PATH holding nothing but this stub, any other command fails.
      '#!/bin/bash\nn=0\n[ -f "$AZ_CALLS/count" ] && n=$(<"$AZ_CALLS/count")\nn=$((n + 1))\n' +
        'printf %s "$n" > "$AZ_CALLS/count"\nprintf "%s\\0" "$@" > "$AZ_CALLS/$n"\n',
      { mode: 0o755 },
    );
    const stdout = execFileSync('/bin/bash', [script], {
      env: { PATH: bin, AZ_CALLS: calls, HOME: dir, LC_ALL: 'C.UTF-8', ...env },
      encoding: 'utf8',
    });
    const count = fs.existsSync(path.join(calls, 'count')) ? Number(fs.readFileSync(path.join(calls, 'count'), 'utf8')) : 0;
    const argv = [];
    for (let n = 1; n <= count; n++) {
      const parts = fs.readFileSync(path.join(calls, String(n))).toString('utf8').split('\0');
      parts.pop(); // after the last NUL
      argv.push(parts);
    }
    return { argv, stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
