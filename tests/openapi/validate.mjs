#!/usr/bin/env node
// Validates recorded HTTP exchanges against portreg's openapi.yaml.
//
// Usage: node validate.mjs [--spec openapi.yaml] EXCHANGES.jsonl
//
// Each line of EXCHANGES.jsonl is one exchange:
//   {"method":"GET","target":"/v1/ports/3493","status":200,
//    "headers":{"etag":"\"...\"",...},"body":"<raw body text>"}
// Other keys are ignored, so fixtures may say why a line is there.
//
// Schemas are checked by Ajv in JSON Schema 2020-12 mode, the dialect of
// OpenAPI 3.1; this file only finds the operation, response, headers and
// media type that apply, as OpenAPI defines them. A JSON body is parsed
// and its value checked; a body of any other media type (YAML, HTML, the
// Prometheus text format) is checked as one string.
//
// Two extensions of the document are honoured:
// - x-method-not-allowed (top level): a Response Object for any method a
//   documented path lacks, answered 405.
// - x-path-methods: true (on a Header Object): the header lists exactly the
//   methods documented for the exchange's path (Allow, for instance), each
//   once, in any order. OpenAPI cannot say that with a schema, since the
//   value differs from path to path.
// x-uncached (on an operation) is for the lint rules in redocly.yaml; the
// headers it stands for are documented on the responses and checked here
// as any others.

import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export const DEFAULT_SPEC = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

// Ajv needs a base URI to resolve the document's own "#/..." references.
const SPEC_ID = 'urn:portreg:openapi';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const MAX_SCHEMA_ERRORS = 4;

function escapePointerSegment(segment) {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

function pointerOf(segments) {
  return segments.map((s) => '/' + escapePointerSegment(s)).join('');
}

function lookupPointer(doc, pointer) {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

function mediaTypeOf(contentType) {
  return contentType.split(';')[0].trim().toLowerCase();
}

function isJsonMediaType(media) {
  return media === 'application/json' || /^[a-z0-9.!#$&^_-]+\/[a-z0-9.!#$&^_-]+\+json$/.test(media);
}

// Checks a header value that must list the methods documented for a path.
function checkPathMethods(name, value, pathItem, template) {
  const expected = Object.keys(pathItem)
    .filter((k) => METHODS.has(k))
    .map((m) => m.toUpperCase());
  const listed = value.split(',').map((m) => m.trim());
  const want = `must list exactly the methods of ${template} (${expected.join(', ')})`;
  if (listed.some((m) => m === '')) return `header ${name}: ${JSON.stringify(value)} has an empty item; it ${want}`;
  const duplicate = listed.find((m, i) => listed.indexOf(m) !== i);
  if (duplicate !== undefined) return `header ${name}: ${JSON.stringify(value)} lists ${duplicate} twice; it ${want}`;
  const missing = expected.filter((m) => !listed.includes(m));
  const extra = listed.filter((m) => !expected.includes(m));
  if (missing.length === 0 && extra.length === 0) return null;
  const what = [
    missing.length ? `lacks ${missing.join(', ')}` : null,
    extra.length ? `has ${extra.join(', ')} too` : null,
  ].filter(Boolean);
  return `header ${name}: ${JSON.stringify(value)} ${what.join(' and ')}; it ${want}`;
}

function formatSchemaErrors(errors) {
  const lines = errors.slice(0, MAX_SCHEMA_ERRORS).map((e) => {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    let extra = '';
    if (e.keyword === 'additionalProperties') extra = ` (${JSON.stringify(e.params.additionalProperty)})`;
    else if (e.keyword === 'enum') extra = ` (${JSON.stringify(e.params.allowedValues)})`;
    else if (e.keyword === 'const') extra = ` (${JSON.stringify(e.params.allowedValue)})`;
    return `${where} ${e.message}${extra}`;
  });
  if (errors.length > MAX_SCHEMA_ERRORS) lines.push(`and ${errors.length - MAX_SCHEMA_ERRORS} more`);
  return lines.join('; ');
}

function extensionKeys(doc) {
  const keys = new Set();
  const walk = (node) => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (!Array.isArray(node) && k.startsWith('x-')) keys.add(k);
      walk(v);
    }
  };
  walk(doc);
  return [...keys];
}

// Builds a validator for one OpenAPI 3.1 document (already parsed).
export function createValidator(spec) {
  if (typeof spec?.openapi !== 'string' || !spec.openapi.startsWith('3.1.')) {
    throw new Error(`expected an OpenAPI 3.1 document, got openapi: ${JSON.stringify(spec?.openapi)}`);
  }
  const ajv = new Ajv2020({
    allErrors: true,
    // Strict mode rejects misspelt keywords and untyped constraints in the
    // spec's own schemas instead of silently ignoring them.
    strict: true,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  // Keywords of OpenAPI's schema dialect that annotate and never constrain,
  // and the specification extensions (x-...) the document uses anywhere.
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', ...extensionKeys(spec)]);
  // Ajv compiles the document that holds a referenced schema as a schema
  // itself, so it gets only the parts schemas live in, under keywords that
  // mean nothing to Ajv; "#/components/..." pointers still resolve.
  const container = { $id: SPEC_ID };
  for (const key of ['paths', 'components', 'webhooks']) {
    if (spec[key] !== undefined) container[key] = spec[key];
  }
  for (const key of Object.keys(spec)) if (key.startsWith('x-')) container[key] = spec[key];
  ajv.addVocabulary(['paths', 'components', 'webhooks']);
  ajv.addSchema(container);
  const compiled = new Map();

  function schemaValidator(pointer) {
    let fn = compiled.get(pointer);
    if (!fn) {
      // Referencing the schema in place keeps its "#/components/..." refs resolvable.
      const fragment = pointer.split('/').map(encodeURIComponent).join('/');
      fn = ajv.compile({ $ref: `${SPEC_ID}#${fragment}` });
      compiled.set(pointer, fn);
    }
    return fn;
  }

  // Follows Reference Objects (outside schemas, which Ajv resolves itself).
  function deref(pointer) {
    let node = lookupPointer(spec, pointer);
    const seen = new Set();
    while (node && typeof node === 'object' && typeof node.$ref === 'string') {
      if (!node.$ref.startsWith('#/')) throw new Error(`only local references are supported: ${node.$ref}`);
      if (seen.has(node.$ref)) throw new Error(`reference cycle at ${node.$ref}`);
      seen.add(node.$ref);
      pointer = node.$ref.slice(1);
      node = lookupPointer(spec, pointer);
    }
    if (node === undefined) throw new Error(`unresolvable reference to ${pointer}`);
    return { node, pointer };
  }

  // Concrete paths win over templated ones (OpenAPI 3.1, Paths Object), so
  // the fewer the templates, the earlier a path is tried.
  const routes = Object.keys(spec.paths ?? {})
    .map((template) => {
      const segments = template.split('/');
      const pattern = segments
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^}]*\\\}/g, '[^/]+'))
        .join('/');
      return {
        template,
        regex: new RegExp(`^${pattern}$`),
        templates: (template.match(/\{[^}]*\}/g) ?? []).length,
      };
    })
    .sort((a, b) => a.templates - b.templates);

  function findRoute(path) {
    return routes.find((r) => r.regex.test(path));
  }

  function checkExchange(ex) {
    const problems = [];
    const method = ex.method.toLowerCase();
    const path = ex.target.split(/[?#]/, 1)[0];
    const route = findRoute(path);
    if (!route) return [`no documented path matches ${path}`];

    const itemPointer = pointerOf(['paths', route.template]);
    const item = deref(itemPointer);
    let responses = null;
    let responsesPointer = null;
    if (METHODS.has(method) && item.node[method]) {
      const opPointer = `${item.pointer}/${escapePointerSegment(method)}`;
      responses = lookupPointer(spec, `${opPointer}/responses`);
      responsesPointer = `${opPointer}/responses`;
    }

    let response;
    if (responses) {
      const code = String(ex.status);
      const key = [code, `${code[0]}XX`, `${code[0]}xx`, 'default'].find((k) => k in responses);
      if (key === undefined) {
        const documented = Object.keys(responses).join(', ');
        return [`status ${ex.status} is not documented for ${ex.method} ${route.template} (documented: ${documented})`];
      }
      response = deref(`${responsesPointer}/${escapePointerSegment(key)}`);
    } else if (ex.status === 405 && spec['x-method-not-allowed']) {
      response = deref('/x-method-not-allowed');
    } else {
      return [`${ex.method} is not a documented operation on ${route.template}`];
    }

    const headers = new Map();
    for (const [name, value] of Object.entries(ex.headers ?? {})) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    }

    for (const name of Object.keys(response.node.headers ?? {})) {
      // OpenAPI: a Content-Type entry under headers is ignored.
      if (name.toLowerCase() === 'content-type') continue;
      const header = deref(`${response.pointer}/headers/${escapePointerSegment(name)}`);
      const value = headers.get(name.toLowerCase());
      if (value === undefined) {
        if (header.node.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (header.node.schema !== undefined) {
        const validate = schemaValidator(`${header.pointer}/schema`);
        if (!validate(value)) {
          problems.push(`header ${name}: ${JSON.stringify(value)}: ${formatSchemaErrors(validate.errors)}`);
          continue;
        }
      }
      if (header.node['x-path-methods'] === true) {
        const problem = checkPathMethods(name, value, item.node, route.template);
        if (problem) problems.push(problem);
      }
    }

    const body = ex.body ?? '';
    const content = response.node.content ?? {};
    const contentType = headers.get('content-type');
    if (Object.keys(content).length === 0) {
      if (body !== '') problems.push(`status ${ex.status} documents no body, but one was sent`);
      return problems;
    }
    if (method === 'head') {
      // A HEAD answer describes the GET representation without sending it.
      if (body !== '') problems.push('a HEAD answer has a body');
      if (contentType === undefined) return problems;
    } else if (body === '') {
      problems.push(`status ${ex.status} documents a body, but none was sent`);
      return problems;
    }

    // RFC 9110, section 8.3: a body without Content-Type may be taken as octet-stream.
    const media = contentType === undefined ? 'application/octet-stream' : mediaTypeOf(contentType);
    const documented = Object.keys(content);
    const [type] = media.split('/');
    const mediaKey =
      documented.find((k) => mediaTypeOf(k) === media) ??
      documented.find((k) => mediaTypeOf(k) === `${type}/*`) ??
      documented.find((k) => mediaTypeOf(k) === '*/*');
    if (mediaKey === undefined) {
      problems.push(`content type ${contentType ?? '(none)'} is not documented (documented: ${documented.join(', ')})`);
      return problems;
    }
    if (method === 'head') return problems;
    const schemaPointer = `${response.pointer}/content/${escapePointerSegment(mediaKey)}/schema`;
    if (!isJsonMediaType(media)) {
      if (content[mediaKey].schema !== undefined) {
        const validate = schemaValidator(schemaPointer);
        if (!validate(body)) problems.push(`body: ${formatSchemaErrors(validate.errors)}`);
      }
      return problems;
    }

    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      problems.push(`body is not JSON: ${err.message}`);
      return problems;
    }
    if (content[mediaKey].schema !== undefined) {
      const validate = schemaValidator(schemaPointer);
      if (!validate(parsed)) problems.push(`body: ${formatSchemaErrors(validate.errors)}`);
    }
    return problems;
  }

  // Compiles every response, header and request body schema up front, so
  // that a schema Ajv rejects shows up even if no exchange reaches it.
  function compileAll() {
    const responsePointers = [];
    for (const template of Object.keys(spec.paths ?? {})) {
      const item = deref(pointerOf(['paths', template]));
      for (const method of Object.keys(item.node).filter((m) => METHODS.has(m))) {
        // Requests are not validated, but their schemas must compile too.
        const bodyPointer = `${item.pointer}/${escapePointerSegment(method)}/requestBody`;
        if (lookupPointer(spec, bodyPointer) !== undefined) {
          const body = deref(bodyPointer);
          for (const [media, object] of Object.entries(body.node.content ?? {})) {
            if (object.schema !== undefined) {
              schemaValidator(`${body.pointer}/content/${escapePointerSegment(media)}/schema`);
            }
          }
        }
        const base = `${item.pointer}/${escapePointerSegment(method)}/responses`;
        for (const key of Object.keys(lookupPointer(spec, base) ?? {})) {
          responsePointers.push(`${base}/${escapePointerSegment(key)}`);
        }
      }
    }
    if (spec['x-method-not-allowed']) responsePointers.push('/x-method-not-allowed');
    for (const pointer of responsePointers) {
      const response = deref(pointer);
      for (const name of Object.keys(response.node.headers ?? {})) {
        const header = deref(`${response.pointer}/headers/${escapePointerSegment(name)}`);
        if (header.node.schema !== undefined) schemaValidator(`${header.pointer}/schema`);
      }
      for (const [media, object] of Object.entries(response.node.content ?? {})) {
        if (object.schema !== undefined) {
          schemaValidator(`${response.pointer}/content/${escapePointerSegment(media)}/schema`);
        }
      }
    }
    return compiled.size;
  }

  // Returns the reasons an exchange does not conform; [] when it does.
  function validateExchange(ex) {
    if (ex === null || typeof ex !== 'object' || Array.isArray(ex)) return ['not a JSON object'];
    const shape = [];
    if (typeof ex.method !== 'string' || !/^[A-Za-z]+$/.test(ex.method)) shape.push('"method" must be an HTTP method name');
    if (typeof ex.target !== 'string' || !ex.target.startsWith('/')) shape.push('"target" must be a string starting with "/"');
    if (!Number.isInteger(ex.status) || ex.status < 100 || ex.status > 599) shape.push('"status" must be an integer 100-599');
    if (ex.headers !== undefined && (ex.headers === null || typeof ex.headers !== 'object' || Array.isArray(ex.headers))) {
      shape.push('"headers" must be an object');
    }
    if (ex.body !== undefined && ex.body !== null && typeof ex.body !== 'string') shape.push('"body" must be a string');
    if (shape.length) return shape.map((s) => `malformed exchange: ${s}`);
    return checkExchange(ex);
  }
  validateExchange.compileAll = compileAll;
  return validateExchange;
}

export function loadValidator(specPath = DEFAULT_SPEC) {
  return createValidator(parseYaml(readFileSync(specPath, 'utf8')));
}

function describe(ex) {
  if (ex && typeof ex === 'object' && typeof ex.method === 'string' && typeof ex.target === 'string') {
    return `${ex.method} ${ex.target} -> ${ex.status}`;
  }
  return '(unreadable exchange)';
}

// Validates every exchange in a JSON Lines text. Blank lines are skipped.
export function validateLines(validateExchange, text) {
  const results = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let ex;
    let problems;
    try {
      ex = JSON.parse(line);
      problems = validateExchange(ex);
    } catch (err) {
      problems = [err instanceof SyntaxError ? `line is not JSON: ${err.message}` : `cannot validate: ${err.message}`];
    }
    results.push({ line: i + 1, exchange: ex, name: describe(ex), problems });
  });
  return results;
}

function main(argv) {
  let specPath = DEFAULT_SPEC;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--spec' && i + 1 < argv.length) specPath = argv[++i];
    else if (argv[i].startsWith('--spec=')) specPath = argv[i].slice('--spec='.length);
    else files.push(argv[i]);
  }
  if (files.length !== 1) {
    console.error('usage: node validate.mjs [--spec openapi.yaml] EXCHANGES.jsonl');
    return 2;
  }
  // `npm run validate` runs in this package's folder; take relative paths
  // from the folder npm was started in, as the user meant them.
  const base = process.env.npm_lifecycle_event === 'validate' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  const file = resolvePath(base, files[0]);

  let validateExchange;
  let text;
  try {
    validateExchange = loadValidator(resolvePath(base, specPath));
    text = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`openapi: ${err.message}`);
    return 2;
  }

  const results = validateLines(validateExchange, text);
  let failed = 0;
  for (const r of results) {
    if (r.problems.length === 0) continue;
    failed++;
    console.log(`FAIL ${files[0]}:${r.line}: ${r.name}: ${r.problems.join('; ')}`);
  }
  console.log(`openapi: ${results.length} responses validated, ${failed} failed`);
  if (results.length === 0) {
    console.error(`openapi: ${files[0]} holds no exchanges`);
    return 1;
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
