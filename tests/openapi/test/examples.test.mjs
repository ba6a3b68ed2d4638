// Every example in openapi.yaml is valid against the schema it illustrates:
// the examples of each media type of a response or request body, and of
// each parameter. The schemas are the ones the recorded real-server
// answers are validated against (validate.mjs), so an example that passes
// here has the shape the server writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SPEC } from '../validate.mjs';

const SPEC_ID = 'urn:portreg:openapi-examples';
const doc = parseYaml(readFileSync(DEFAULT_SPEC, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: SPEC_ID });

const escape = (s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1');

// Every [pointer to a schema, example value, where] in the document.
function* examples(node, pointer) {
  if (node === null || typeof node !== 'object') return;
  if (node.schema && typeof node.schema === 'object') {
    const schemaPtr = `${pointer}/schema`;
    if ('example' in node) yield [schemaPtr, node.example, `${pointer}/example`];
    if (node.examples && typeof node.examples === 'object' && !Array.isArray(node.examples)) {
      for (const [name, ex] of Object.entries(node.examples)) {
        if (ex && typeof ex === 'object' && 'value' in ex) {
          yield [schemaPtr, ex.value, `${pointer}/examples/${escape(name)}/value`];
        }
      }
    }
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'schema' || key === 'example' || key === 'examples') continue;
    yield* examples(child, `${pointer}/${escape(key)}`);
  }
}

// A parameter's example is its value as a client writes it; an array
// parameter is validated as the array it stands for.
const found = [...examples(doc.paths, '#/paths'), ...examples(doc.components, '#/components')];

test('the document has examples to check', () => {
  assert.ok(found.length >= 15, `only ${found.length} examples found`);
});

for (const [schemaPtr, value, where] of found) {
  test(`example ${where}`, () => {
    const validate = ajv.getSchema(`${SPEC_ID}${schemaPtr}`);
    assert.ok(validate, `no schema at ${schemaPtr}`);
    const ok = validate(value);
    assert.ok(ok, `${where}: ${ajv.errorsText(validate.errors)}`);
  });
}
