// The Terraform exports of the demo's and the hostile bulk plans, parsed by HashiCorp's own HCL
// parser (npm @cdktf/hcl2json: hashicorp/hcl built to wasm), and what Terraform would read
// compared with the plan the file was made from: one provider per subscription with its id
// exactly, a resource per write with its values, each write after the one before it, and the
// import of each setting turned off (azurerm); the ARM resource and the body the app PUTs
// (azapi). hcl2json writes the file in Terraform's JSON syntax, where `$${` and `%%{` are the
// literal `${` and `%{`, and a string that is an expression reads "${…}".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { exportsEndingIn, planOf, require, shortName } from './tools.mjs';

const { parse } = require('@cdktf/hcl2json');

/** A literal as Terraform reads it: fails on a template sequence (`${`, `%{`) in a literal. */
function literal(value, where) {
  assert.equal(typeof value, 'string', where);
  assert.doesNotMatch(value.replaceAll('$${', '').replaceAll('%%{', ''), /[$%]\{/, `${where}: a template in ${value}`);
  return value.replaceAll('$${', '${').replaceAll('%%{', '%{');
}

/** A reference (`azurerm.sub1`), as hcl2json writes an expression. */
function reference(value) {
  const match = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(value);
  assert.ok(match, `a reference: ${value}`);
  return match[1];
}

/** Every resource block: `{ type, label, body }`. */
function resources(parsed) {
  return Object.entries(parsed.resource ?? {}).flatMap(([type, labelled]) =>
    Object.entries(labelled).map(([label, [body]]) => ({ type, label, body, address: `${type}.${label}` })),
  );
}

/** The resources in `within` as the chain their `depends_on` makes, first to last. */
function chain(within) {
  const next = new Map(within.filter((r) => r.body.depends_on).map((r) => [reference(r.body.depends_on[0]), r]));
  const first = within.filter((r) => !r.body.depends_on);
  assert.equal(first.length, 1, `one first write: ${within.map((r) => r.address)}`);
  const ordered = [first[0]];
  while (next.has(ordered.at(-1).address)) ordered.push(next.get(ordered.at(-1).address));
  assert.equal(ordered.length, within.length, 'every write waits for the one before it');
  return ordered;
}

/** A bulk plan's writes per changing subscription: `[{ id, writes: [{ setting, enabled } | { subPlan }] }]`. */
function changing(plan) {
  return plan.items
    .filter((item) => item.writes.length > 0)
    .map((item) => ({
      id: item.subscription_id,
      writes: item.writes.map((w) =>
        w.setting ? { setting: w.setting.setting, enabled: w.setting.enabled } : { subPlan: w.serversPlan.sub_plan },
      ),
    }));
}

async function parsed(file) {
  return parse(file, fs.readFileSync(file, 'utf8'));
}

test('azurerm: a provider per subscription, each write in order, as the plan says', async () => {
  const files = exportsEndingIn('-azurerm.tf');
  assert.ok(files.length >= 2);
  for (const file of files) {
    const name = shortName(file);
    const tf = await parsed(file);
    const subscriptions = changing(planOf(file));
    assert.equal(tf.terraform[0].required_providers[0].azurerm.source, 'hashicorp/azurerm');
    const providers = tf.provider.azurerm;
    assert.equal(providers.length, subscriptions.length, `${name}: one provider per subscription that changes`);
    const all = resources(tf);
    const imports = tf.import ?? [];
    let expectedImports = 0;
    subscriptions.forEach(({ id, writes }, n) => {
      const alias = `sub${n + 1}`;
      const provider = providers.find((p) => p.alias === alias);
      assert.equal(literal(provider.subscription_id, name), id, `${name}: ${alias} is the subscription, exactly`);
      assert.deepEqual(provider.features, [{}]);
      const mine = chain(all.filter((r) => reference(r.body.provider) === `azurerm.${alias}`));
      assert.equal(mine.length, writes.length, `${name}: a resource per write of ${alias}`);
      mine.forEach((resource, i) => {
        const write = writes[i];
        if ('subPlan' in write) {
          assert.equal(resource.type, 'azurerm_security_center_subscription_pricing');
          assert.deepEqual(
            [resource.body.tier, resource.body.resource_type, resource.body.subplan].map((v) => literal(v, name)),
            ['Standard', 'VirtualMachines', write.subPlan],
          );
        } else {
          assert.equal(resource.type, 'azurerm_security_center_setting');
          assert.equal(literal(resource.body.setting_name, name), write.setting);
          assert.equal(resource.body.enabled, write.enabled);
          if (!write.enabled) {
            // azurerm refuses to create a setting that is on: one turned off is imported first.
            expectedImports++;
            const found = imports.filter((i) => reference(i.to) === resource.address);
            assert.equal(found.length, 1, `${name}: ${resource.address} is imported`);
            assert.equal(reference(found[0].provider), `azurerm.${alias}`);
            assert.equal(literal(found[0].id, name), `/subscriptions/${id}/providers/Microsoft.Security/settings/${write.setting}`);
          }
        }
      });
    });
    assert.equal(all.length, subscriptions.flatMap((s) => s.writes).length, `${name}: no other resource`);
    assert.equal(imports.length, expectedImports, `${name}: no other import`);
  }
});

test('azapi: each ARM resource updated with the body the app PUTs, in order', async () => {
  const files = exportsEndingIn('-azapi.tf');
  assert.ok(files.length >= 2);
  for (const file of files) {
    const name = shortName(file);
    const tf = await parsed(file);
    assert.equal(tf.terraform[0].required_providers[0].azapi.source, 'Azure/azapi');
    const all = resources(tf);
    const subscriptions = changing(planOf(file));
    for (const { id, writes } of subscriptions) {
      const prefix = `/subscriptions/${id}/providers/`;
      const mine = chain(all.filter((r) => literal(r.body.resource_id, name).startsWith(prefix)));
      assert.equal(mine.length, writes.length, `${name}: a resource per write of ${id}`);
      mine.forEach((resource, i) => {
        const write = writes[i];
        assert.equal(resource.type, 'azapi_update_resource');
        const [type, resourceId, body] =
          'subPlan' in write
            ? ['Microsoft.Security/pricings@2024-01-01', `${prefix}Microsoft.Security/pricings/VirtualMachines`,
                { properties: { pricingTier: 'Standard', subPlan: write.subPlan } }]
            : ['Microsoft.Security/settings@2022-05-01', `${prefix}Microsoft.Security/settings/${write.setting}`,
                { kind: write.setting === 'Sentinel' ? 'AlertSyncSettings' : 'DataExportSettings', properties: { enabled: write.enabled } }];
        assert.equal(literal(resource.body.type, name), type);
        assert.equal(literal(resource.body.resource_id, name), resourceId, `${name}: the id, exactly`);
        assert.deepEqual(resource.body.body, body, `${name}: the PUT body`);
      });
    }
    assert.equal(all.length, subscriptions.flatMap((s) => s.writes).length, `${name}: no other resource`);
  }
});

test('the check sees a template in a literal', () => {
  assert.throws(() => literal('a ${var.x}', 'test'));
  assert.equal(literal('a $${x} %%{y}', 'test'), 'a ${x} %{y}');
});
