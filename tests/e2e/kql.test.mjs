// The KQL check: every Resource Graph query the core sends (`mde_core::arm::graph::QUERIES`,
// printed with the fields its row type reads by `cargo run -p mde-core --example graph_queries`)
// is parsed and type-checked by Microsoft's own Kusto.Language (npm @kusto/language-service-next)
// against Azure Resource Graph's tables, and the result columns it computes must hold every
// field the row type reads: serde fills a missing column with its default, silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// A Bridge.NET build: the runtime first, then the library; both set globals.
const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
const { Bridge } = globalThis;
const K = globalThis.Kusto.Language;
const S = K.Symbols;

// The columns every ARG table has (Resource Graph's table schema); the schema-string form of
// TableSymbol stops at `kind`, a keyword, so the columns are built one by one.
const ARG_COLUMNS = {
  id: 'string', name: 'string', type: 'string', tenantId: 'string', kind: 'string', location: 'string',
  resourceGroup: 'string', subscriptionId: 'string', managedBy: 'string', sku: 'dynamic', plan: 'dynamic',
  properties: 'dynamic', tags: 'dynamic', identity: 'dynamic', zones: 'dynamic', extendedLocation: 'dynamic',
};
const ARG_TABLES = ['resources', 'securityresources', 'resourcecontainers'];

function argGlobals() {
  const scalar = { string: S.ScalarTypes.String, dynamic: S.ScalarTypes.Dynamic };
  const tables = ARG_TABLES.map((table) => {
    const columns = Object.entries(ARG_COLUMNS).map(([name, type]) => new S.ColumnSymbol(name, scalar[type], null, null, null, null));
    return new S.TableSymbol.$ctor4(table, columns);
  });
  return K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor('resourcegraph', tables));
}
const GLOBALS = argGlobals();

/** Kusto.Language's verdict on one query: its error diagnostics and its result columns. */
function analyse(text) {
  const code = K.KustoCode.ParseAndAnalyze(text, GLOBALS);
  const errors = Bridge.toArray(code.GetDiagnostics())
    .filter((d) => d.Severity === 'Error')
    .map((d) => `${d.Code} at ${d.Start}: ${d.Message} (near "${text.substr(d.Start, Math.max(d.Length, 1))}")`);
  const result = code.ResultType;
  const columns = result instanceof S.TableSymbol ? Bridge.toArray(result.Columns).map((c) => c.Name) : [];
  return { errors, columns };
}

/** What is wrong with a query of the core: Kusto.Language's errors, and the fields its row type
 * reads that are not among the result columns. */
function faults({ query, fields }) {
  const { errors, columns } = analyse(query);
  return { errors, missing: fields.filter((f) => !columns.includes(f)), columns };
}

function coreQueries() {
  const env = { ...process.env, PATH: [path.join(root, '.tools/bin'), path.join(os.homedir(), '.cargo/bin'), process.env.PATH].join(path.delimiter) };
  const out = execFileSync('cargo', ['run', '-q', '-p', 'mde-core', '--example', 'graph_queries'], { cwd: root, env, encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out);
}

const queries = coreQueries();

test('the core lists its Resource Graph queries, each with the fields its row type reads', () => {
  assert.ok(queries.length > 0, 'no query in mde_core::arm::graph::QUERIES');
  for (const q of queries) {
    assert.ok(q.query.trim() && q.fields.length > 0, `query ${q.name}: empty text or no fields (${JSON.stringify(q)})`);
  }
  assert.equal(new Set(queries.map((q) => q.name)).size, queries.length, 'query names are unique');
});

for (const q of queries) {
  test(`Resource Graph query '${q.name}' passes Kusto.Language and projects every field ${q.row} reads`, () => {
    const { errors, missing, columns } = faults(q);
    assert.deepEqual(errors, [], `Kusto.Language finds errors in '${q.name}':\n  ${errors.join('\n  ')}\n${q.query}`);
    assert.deepEqual(missing, [], `${q.row} reads ${missing.join(', ')}, which '${q.name}' does not project; its columns: ${columns.join(', ')}`);
  });
}

// The check itself catches both faults, so that a green run means something.
test('the check catches a misspelt column, an unknown table and a field the query does not project', () => {
  const plans = { query: 'securityresources | project id, subscriptionId, tier = tostring(properties.pricingTier)', fields: ['subscriptionId', 'pricingTier'] };
  assert.deepEqual(faults(plans).errors, []);
  assert.deepEqual(faults(plans).missing, ['pricingTier']);
  const typo = faults({ ...plans, query: plans.query.replace('id, subscriptionId', 'id, subscriptionid') });
  assert.equal(typo.errors.length, 1, typo.errors.join('\n'));
  assert.match(typo.errors[0], /^KS142 .*'subscriptionid'/);
  assert.match(faults({ ...plans, query: 'securityresource | project id' }).errors.join('\n'), /'securityresource'/);
  // A summarize keeps only its groups and aggregates: no `id`.
  const counts = faults({ query: 'resources | summarize count() by subscriptionId', fields: ['id', 'subscriptionId'] });
  assert.deepEqual([counts.errors, counts.columns, counts.missing], [[], ['subscriptionId', 'count_'], ['id']]);
});

test('joined columns come back with their suffix, as Resource Graph names them', () => {
  const joined = analyse('resources | join kind = leftouter (resources | project id, name, properties) on id | project name1, properties1');
  assert.deepEqual(joined.errors, []);
  assert.deepEqual(joined.columns, ['name1', 'properties1']);
});
