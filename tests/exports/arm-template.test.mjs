// The ARM template exports of the demo's and the hostile bulk plans, validated against
// Azure's published deployment template schema (Azure/azure-resource-manager-schemas,
// subscriptionDeploymentTemplate.json and the resource schemas of the three types the export
// writes: tests/fixtures/schemas, SOURCES.md says what was copied) with ajv's draft-04 build, as
// the schemas are draft-04. The outer template and each subscription's nested template are
// both subscription-scope templates; the settings' and the pricing's kind, names and property
// types are the resource schemas' own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { exportsEndingIn, require, root, shortName } from './tools.mjs';

const Ajv = require('ajv-draft-04').default;

const SCHEMAS = path.join(root, 'tests/fixtures/schemas');
const TEMPLATE = 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';

function validator() {
  // strict: false, as the published schemas use keywords ajv's strict mode does not know.
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const file of fs.readdirSync(SCHEMAS, { recursive: true }).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')));
  }
  const validate = ajv.getSchema(TEMPLATE);
  return (template) => (validate(template) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`));
}

test('every ARM template export, and each nested template, is valid by the published schema', () => {
  const validate = validator();
  const files = exportsEndingIn('-arm.json');
  assert.ok(files.length >= 2);
  for (const file of files) {
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(template.$schema, TEMPLATE);
    assert.deepEqual(validate(template), [], shortName(file));
    assert.ok(template.resources.length > 0);
    for (const deployment of template.resources) {
      assert.equal(deployment.type, 'Microsoft.Resources/deployments');
      const nested = deployment.properties.template;
      assert.equal(nested.$schema, TEMPLATE);
      assert.deepEqual(validate(nested), [], `${shortName(file)}: ${deployment.name}`);
      assert.ok(nested.resources.length > 0);
    }
  }
});

test('the schema refuses what the export must not write', () => {
  const validate = validator();
  const setting = (changes) => ({
    $schema: TEMPLATE,
    contentVersion: '1.0.0.0',
    resources: [{ type: 'Microsoft.Security/settings', apiVersion: '2022-05-01', name: 'WDATP', kind: 'DataExportSettings', properties: { enabled: true }, ...changes }],
  });
  assert.deepEqual(validate(setting({})), []);
  assert.notDeepEqual(validate(setting({ properties: { enabled: 'true' } })), [], 'a string for a boolean');
  assert.notDeepEqual(validate(setting({ kind: 'DataExportSetting' })), [], 'the preview API kind');
  assert.notDeepEqual(validate(setting({ name: 'WDATP_LINUX' })), [], 'a setting that does not exist');
  assert.notDeepEqual(validate(setting({ apiVersion: '2021-06-01' })), [], 'a version the copied schemas do not hold');
  assert.notDeepEqual(validate({ ...setting({}), contentVersion: '1.0' }), [], 'a content version of three numbers');
});
