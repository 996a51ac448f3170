// The PowerShell exports of the demo's and the hostile plans, parsed by a PowerShell grammar
// (npm tree-sitter-powershell's wasm build, in web-tree-sitter): read as UTF-8, as PowerShell 7
// and Windows PowerShell 5.1 read a file with a byte-order mark, and as Windows-1252, as 5.1
// reads one without (the mark lost to an editor or a copy). Either way the parse has no error,
// the same tree, no string that expands, only the cmdlets the export writes, and the hostile
// names' commands only inside strings and comments. The grammar does not take the typographic
// quotes ‘ ’ ‚ ‛ for quotes as PowerShell does: the byte rules in
// crates/mde-core/tests/export_scripts.rs (a BOM; no character outside ASCII but in comments)
// are what keeps them out of the code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import v8 from 'node:v8';

import { exportsEndingIn, planOf, require, shortName, writesOf } from './tools.mjs';

const { Parser, Language } = require('web-tree-sitter');

// V8 optimises the grammar's 1 MB of wasm in the background, and the process waits for that
// before it exits: 30 s on two cores, for a parse that takes milliseconds in the baseline tier.
v8.setFlagsFromString('--liftoff-only');

const BOM = [0xef, 0xbb, 0xbf];
const CMDLETS = new Set([
  'Set-AzContext', 'Out-Null', 'Write-Host',
  'Set-AzSecuritySetting', 'Set-AzSecurityPricing', 'Update-AzTag', 'Remove-AzResource',
]);
/** What the hostile names would run or inject, were a string to end early. */
const MARKERS = ['Start-Process', 'calc.exe', 'touch', 'injected', 'concat(', '${HOME}', 'gnp.exe'];
/** The only variables the export writes. */
const VARIABLES = new Set(['$ErrorActionPreference', '$true', '$false']);

async function parser() {
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

function nodes(root) {
  const all = [];
  const walk = (node) => {
    all.push(node);
    for (const child of node.children) walk(child);
  };
  walk(root);
  return all;
}

/** What is wrong with `text` as an export: empty when nothing is. */
function problems(parser, text) {
  const tree = parser.parse(text);
  const all = nodes(tree.rootNode);
  const found = [];
  for (const node of all.filter((n) => n.isError || n.isMissing)) found.push(`${node.type} at ${node.startPosition.row + 1}: ${node.text}`);
  for (const node of all.filter((n) => n.type.includes('expandable'))) found.push(`a string that expands: ${node.text}`);
  for (const node of all.filter((n) => n.type === 'variable' && !VARIABLES.has(n.text))) found.push(`variable ${node.text}`);
  for (const node of all.filter((n) => n.type === 'command_name' && !CMDLETS.has(n.text))) found.push(`command ${node.text}`);
  // The text outside strings and comments: no marker of the hostile names may be in it.
  const chars = [...text];
  const kept = text.split('');
  for (const node of all.filter((n) => n.type === 'string_literal' || n.type === 'comment')) {
    for (let i = node.startIndex; i < node.endIndex; i++) kept[i] = ' ';
  }
  const code = kept.join('');
  for (const marker of MARKERS.filter((m) => code.includes(m))) found.push(`${marker} outside strings and comments`);
  assert.ok(chars.length > 0);
  return { found, tree, commands: all.filter((n) => n.type === 'command_name').map((n) => n.text) };
}

test('every PowerShell export parses the same as UTF-8 and as Windows-1252, names only in strings', async (t) => {
  const ps = await parser();
  const files = exportsEndingIn('.ps1');
  assert.ok(files.length >= 8, `the exports: ${files.map(shortName)}`);
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], BOM, `${shortName(file)} starts with the UTF-8 byte-order mark`);
    const body = bytes.subarray(3);
    const utf8 = problems(ps, new TextDecoder('utf-8', { fatal: true }).decode(body));
    const ansi = problems(ps, new TextDecoder('windows-1252').decode(body));
    assert.deepEqual(utf8.found, [], `${shortName(file)} read as UTF-8`);
    assert.deepEqual(ansi.found, [], `${shortName(file)} read as Windows-1252`);
    assert.equal(ansi.tree.rootNode.toString(), utf8.tree.rootNode.toString(), `${shortName(file)}: one tree in both`);
    const writes = utf8.commands.filter((c) => !['Set-AzContext', 'Out-Null', 'Write-Host'].includes(c));
    assert.equal(writes.length, writesOf(planOf(file)).length, `${shortName(file)}: one cmdlet per write`);
  }
  t.diagnostic(`${files.length} scripts`);
});

test('the check sees a name that ends its string', async () => {
  const ps = await parser();
  const broken = "Write-Host 'O'Brien (Start-Process calc.exe)'\n";
  assert.notDeepEqual(problems(ps, broken).found, []);
  const expanding = 'Write-Host "$(Start-Process calc.exe)"\n';
  assert.notDeepEqual(problems(ps, expanding).found, []);
  const kept = "Write-Host ('O''Brien ' + [char]0x00D2 + ' (Start-Process calc.exe)')\n";
  assert.deepEqual(problems(ps, kept).found, []);
});
