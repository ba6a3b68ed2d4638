#!/usr/bin/env node
// Validates SARIF logs against the SARIF 2.1.0 JSON schema (a draft-04
// schema, hence ajv-draft-04), with formats checked (uri, uri-reference).
//
// Usage: node validate.mjs FILE.sarif...
// Exit 0 when every file is valid, 1 otherwise; each fault is printed.
import { readFileSync } from 'node:fs';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const schemaUrl = new URL('./schemas/sarif-schema-2.1.0.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, 'utf8'));
const ajv = new Ajv04({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let bad = 0;
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.mjs FILE.sarif...');
  process.exit(2);
}
for (const file of files) {
  let log;
  try {
    log = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON: ${e.message}`);
    bad++;
    continue;
  }
  if (!validate(log)) {
    bad++;
    for (const err of validate.errors.slice(0, 8))
      console.error(`${file}: ${err.instancePath || '/'} ${err.message}`);
    continue;
  }
  // the schema allows a log with no run: a report must have exactly one
  if (!Array.isArray(log.runs) || log.runs.length !== 1) {
    console.error(`${file}: ${log.runs?.length ?? 0} runs, not 1`);
    bad++;
    continue;
  }
  const rules = log.runs[0].tool.driver.rules ?? [];
  for (const [i, r] of (log.runs[0].results ?? []).entries()) {
    if (rules[r.ruleIndex]?.id !== r.ruleId) {
      console.error(`${file}: result ${i}: ruleIndex ${r.ruleIndex} is not rule ${r.ruleId}`);
      bad++;
    }
  }
}
console.log(`SARIF: ${files.length - bad} of ${files.length} valid`);
process.exit(bad ? 1 : 0);
