// Proves the response validator both accepts answers that follow
// openapi.yaml and rejects each kind of mistake it is meant to catch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SPEC, createValidator, loadValidator, validateLines } from '../validate.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const GOOD = here('../fixtures/good.jsonl');
const BAD = here('../fixtures/bad.jsonl');
const SCRIPT = here('../validate.mjs');

const validate = loadValidator();

// What each bad exchange must be rejected for, by its "why".
const expectedReasons = new Map([
  ['wrong type: port is a string', /\/port must be integer/],
  ['missing required key: a record without notes', /must have required property 'notes'/],
  ['extra key in a record', /must NOT have additional properties \("weight"\)/],
  ['undocumented status for the operation', /status 404 is not documented for GET \/v1\/ports\/\{port\}/],
  ['undocumented path', /no documented path matches \/v1\/port\/3493/],
  ['undocumented method that is not a 405', /PUT is not a documented operation/],
  ['required header missing', /required header ETag is missing/],
  ['weak ETag', /header ETag: .*must match pattern/],
  ['undocumented content type', /content type text\/xml is not documented/],
  ['body is not JSON', /body is not JSON/],
  ['status rule: a record without a service name cannot be assigned', /\/records\/0\/status must be equal to constant \("reserved"\)/],
  ['range_class disagrees with the port', /\/range_class must be equal to constant \("system"\)/],
  ['a udp record in the tcp answer', /\/records\/1\/protocol must be equal to one of the allowed values/],
  ['problem status disagrees with the HTTP status', /\/status must be equal to constant \(400\)/],
  ['HEAD answer with a body', /a HEAD answer has a body/],
  ['304 with a body', /status 304 documents no body/],
  ['200 without a body', /status 200 documents a body, but none was sent/],
  ['405 with the wrong Allow', /header Allow: "GET, POST" lacks HEAD, OPTIONS and has POST too; it must list exactly the methods of \/v1\/ports\/\{port\} \(GET, HEAD, OPTIONS\)/],
  ['limit out of range in the envelope', /\/limit must be >= 1/],
  ['verdict without suggestions', /must have required property 'suggestions'/],
  ['reason with an unknown code', /\/reasons\/0\/code must be equal to one of the allowed values/],
  ['verdict ok despite a reason', /\/ok must be equal to constant \(false\)/],
  ['suggestions for an ok verdict', /\/suggestions must NOT have more than 0 items/],
  ['name_invalid without name problems', /\/reasons must NOT be valid/],
  ['a udp conflict in a tcp verdict', /\/conflicts\/0\/protocol must be equal to one of the allowed values/],
  ['POST answer with an ETag', /header ETag: .*must NOT be valid/],
  ['POST answer with a public Cache-Control', /header Cache-Control: "public, max-age=3600": .*must be equal to constant \("no-store"\)/],
  ['POST answer without Cache-Control', /required header Cache-Control is missing/],
  ['manifest ok despite a clash', /\/clashes must NOT have more than 0 items/],
  ['clash with an unknown code', /\/clashes\/0\/code must be equal to one of the allowed values/],
  ['clash of three entries', /\/clashes\/0\/entries must NOT have more than 2 items/],
  ['413 that is not a problem', /content type text\/plain is not documented \(documented: application\/problem\+json\)/],
  ['free-port list with a string item', /\/items\/0 must be integer/],
  ["a port's answer at /v1/ports/free", /must have required property 'items'/],
  ['405 on /v1/check without POST in Allow', /header Allow: "GET, HEAD, OPTIONS" lacks POST; it must list exactly the methods of \/v1\/check/],
  ['OPTIONS listing POST where it is not allowed', /header Allow: .* has POST too; it must list exactly the methods of \/v1\/ports\/free \(GET, HEAD, OPTIONS\)/],
  ['preflight without POST on /v1/check', /header Access-Control-Allow-Methods: .* lacks POST/],
  ['Allow listing a method twice', /header Allow: .* lists GET twice/],
  ['/healthz 200 with an ETag', /header ETag: .*must NOT be valid/],
  ['/metrics answered as application/json', /content type application\/json is not documented \(documented: text\/plain; version=0\.0\.4; charset=utf-8\)/],
  ['/readyz 200 without records', /must have required property 'records'/],
  ['/metrics body not in the exposition format', /^body: \(root\) must match pattern/],
  ['/readyz 503 for a reason other than shutdown', /\/detail must be equal to constant \("shutting down: finishing the requests under way"\)/],
]);

test('every schema in openapi.yaml compiles under Ajv strict mode', () => {
  assert.ok(validate.compileAll() > 0);
});

test('good exchanges pass', async (t) => {
  const results = validateLines(validate, readFileSync(GOOD, 'utf8'));
  assert.ok(results.length >= 20, 'the good fixture lost exchanges');
  for (const r of results) {
    await t.test(`line ${r.line}: ${r.name}`, () => {
      assert.deepEqual(r.problems, []);
    });
  }
});

test('good exchanges reach every documented path', () => {
  const spec = parseYaml(readFileSync(DEFAULT_SPEC, 'utf8'));
  const targets = validateLines(validate, readFileSync(GOOD, 'utf8')).map((r) => r.exchange.target.split('?')[0]);
  for (const template of Object.keys(spec.paths)) {
    const re = new RegExp('^' + template.replace(/\{[^}]*\}/g, '[^/]+') + '$');
    assert.ok(targets.some((t) => re.test(t)), `no good exchange for ${template}`);
  }
});

test('good exchanges reach every documented method other than GET, HEAD and OPTIONS', () => {
  const spec = parseYaml(readFileSync(DEFAULT_SPEC, 'utf8'));
  const exchanges = validateLines(validate, readFileSync(GOOD, 'utf8')).map((r) => r.exchange);
  for (const [template, item] of Object.entries(spec.paths)) {
    const re = new RegExp('^' + template.replace(/\{[^}]*\}/g, '[^/]+') + '$');
    for (const method of Object.keys(item).filter((k) => ['put', 'post', 'delete', 'patch'].includes(k))) {
      assert.ok(
        exchanges.some((e) => e.method === method.toUpperCase() && re.test(e.target.split('?')[0])),
        `no good ${method.toUpperCase()} exchange for ${template}`,
      );
    }
  }
});

test('a literal path is matched before a templated one, whatever their order in the document', () => {
  const spec = parseYaml(readFileSync(DEFAULT_SPEC, 'utf8'));
  assert.ok(spec.paths['/v1/ports/free'] && spec.paths['/v1/ports/{port}'], 'the paths this test is about are gone');
  const free = validateLines(validate, readFileSync(GOOD, 'utf8')).find(
    (r) => r.exchange.method === 'GET' && r.exchange.status === 200 && r.exchange.target.startsWith('/v1/ports/free?'),
  );
  assert.ok(free, 'the good fixture lost its GET /v1/ports/free');
  // Put every templated path first, so that document order would pick the wrong one.
  const entries = Object.entries(spec.paths);
  const reordered = { ...spec, paths: Object.fromEntries([...entries.filter(([t]) => t.includes('{')), ...entries.filter(([t]) => !t.includes('{'))]) };
  assert.deepEqual(createValidator(reordered)(free.exchange), []);
});

test('bad exchanges fail, each for its own reason', async (t) => {
  const results = validateLines(validate, readFileSync(BAD, 'utf8'));
  const seen = new Set();
  for (const r of results) {
    const why = r.exchange?.why;
    await t.test(`line ${r.line}: ${why ?? r.name}`, () => {
      assert.ok(r.problems.length > 0, 'was accepted');
      if (why === undefined) {
        assert.match(r.problems.join('; '), /line is not JSON/);
        return;
      }
      const reason = expectedReasons.get(why);
      assert.ok(reason, `no expected reason listed for "${why}"`);
      assert.match(r.problems.join('; '), reason);
      seen.add(why);
    });
  }
  assert.deepEqual([...expectedReasons.keys()].filter((k) => !seen.has(k)), [], 'expected reasons without a bad exchange');
});

function run(...args) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, npm_lifecycle_event: '' } });
}

test('the command passes the good fixture and says so', () => {
  const r = run(GOOD);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const n = readFileSync(GOOD, 'utf8').split('\n').filter((l) => l.trim()).length;
  assert.match(r.stdout, new RegExp(`^openapi: ${n} responses validated, 0 failed$`, 'm'));
});

test('the command fails the bad fixture, one line per failed exchange', () => {
  const r = run(BAD);
  assert.equal(r.status, 1);
  const n = readFileSync(BAD, 'utf8').split('\n').filter((l) => l.trim()).length;
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('FAIL ')).length, n);
  assert.match(r.stdout, new RegExp(`^openapi: ${n} responses validated, ${n} failed$`, 'm'));
});

test('the command fails on a file with no exchanges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portreg-openapi-'));
  try {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    const r = run(empty);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^openapi: 0 responses validated, 0 failed$/m);
    assert.match(r.stderr, /holds no exchanges/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command fails on a missing file or a missing argument', () => {
  assert.equal(run(join(tmpdir(), 'portreg-openapi-no-such-file.jsonl')).status, 2);
  assert.equal(run().status, 2);
});
