#!/usr/bin/env node
// Checks the Kubernetes manifests under deploy/kubernetes.
//
//   node tests/kubernetes/validate.mjs              check the manifests
//   node tests/kubernetes/validate.mjs --self-test  check that the checks fail:
//       every manifest under fixtures/bad must be rejected, for the reasons
//       its "# expect:" lines give and no other, and the real manifests
//       accepted
//
// Every YAML document is read as Kubernetes reads it (YAML 1.1, so an
// unquoted `on` is a boolean), then checked twice against the Kubernetes
// API's own OpenAPI schema as the kubernetes-models package carries it:
//
//   schema  the package's validators (JSON Schema compiled by ajv): types,
//           required fields, formats such as int32;
//   types   the package's TypeScript declarations of the same schema, checked
//           by the TypeScript compiler: this is what rejects unknown fields
//           (a `replica:` typo), which the schema as published allows.
//
// Only GA API versions are accepted: the package also carries long-removed
// ones such as policy/v1beta1.
//
// Each kustomization is checked for its shape and for the files it names,
// then rendered with `kubectl kustomize` where kubectl is installed, and the
// rendered set is checked like the files, plus cross-checks between the
// objects: Service, PodDisruptionBudget and autoscaler find the Deployment's
// pods, probes name a container port, requests stay within limits, the
// security context and the shutdown timing hold.
//
// The last line is "kubernetes: N passed, N failed"; the exit status is 1
// when anything failed.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import YAML from "yaml";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const deployDir = path.join(repo, "deploy/kubernetes");
const fixturesDir = path.join(here, "fixtures/bad");
const require = createRequire(import.meta.url);
const modelsVersion = require("kubernetes-models/package.json").version;
// The Kubernetes release whose API kubernetes-models 4.5.x describes.
const KUBERNETES = "1.33";

const rel = (p) => path.relative(repo, p) || ".";

// ---------------------------------------------------------------- reading

// Documents of one YAML file, parsed as the Kubernetes tools do (YAML 1.1).
// Returns { docs: [{ index, value }], errors: [string] }.
function readYaml(file, text = fs.readFileSync(file, "utf8")) {
  const docs = [];
  const errors = [];
  const parsed = YAML.parseAllDocuments(text, { version: "1.1", uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(parsed) ? parsed : [parsed];
  list.forEach((doc, index) => {
    for (const e of [...doc.errors, ...doc.warnings]) errors.push(`document ${index + 1}: YAML: ${e.message.split("\n")[0]}`);
    if (doc.errors.length) return;
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // an empty document
    docs.push({ index, value });
  });
  return { docs, errors };
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
const idOf = (obj) => `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;

function dotted(parts) {
  let s = "";
  for (const p of parts) s += typeof p === "number" ? `[${p}]` : (s ? "." : "") + p;
  return s;
}

// Values that YAML 1.1 turns into something no Kubernetes field takes.
function findDates(value, at = [], out = []) {
  if (value instanceof Date) out.push(`${dotted(at)}: an unquoted date, which YAML reads as a timestamp: quote it`);
  else if (Array.isArray(value)) value.forEach((v, i) => findDates(v, [...at, i], out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) findDates(v, [...at, k], out);
  return out;
}

// ------------------------------------------------------- kubernetes-models

const modelCache = new Map();

function modulePath(apiVersion) {
  if (typeof apiVersion !== "string" || !/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return null;
  return `kubernetes-models/${apiVersion}`;
}

// The kubernetes-models class of an object's apiVersion and kind, or a
// message saying why there is none.
async function modelOf(obj) {
  if (!isObject(obj)) return { error: "not a mapping" };
  const { apiVersion, kind } = obj;
  const key = `${apiVersion} ${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let result;
  const mod = modulePath(apiVersion);
  if (!mod || typeof kind !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    result = { error: `apiVersion "${apiVersion}" / kind "${kind}" is not a Kubernetes type name` };
  } else if (/(alpha|beta)[0-9]+$/.test(apiVersion)) {
    // kubernetes-models keeps the schemas of API versions long removed
    // (policy/v1beta1, extensions/v1beta1, ...) for old clusters.
    result = { error: `apiVersion ${apiVersion}: only GA API versions are accepted; beta and alpha ones are removed from current Kubernetes or off by default` };
  } else {
    let exports = null;
    try {
      exports = await import(`${mod}/${kind}`);
    } catch {
      exports = null;
    }
    const Model = exports?.[kind];
    let probe = null;
    try {
      probe = typeof Model === "function" ? new Model({}) : null;
    } catch {
      probe = null;
    }
    if (!probe || probe.kind !== kind || probe.apiVersion !== apiVersion || typeof probe.validate !== "function") {
      result = { error: `the Kubernetes ${KUBERNETES} API has no kind ${kind} in ${apiVersion}` };
    } else {
      result = { Model, module: `${mod}/${kind}` };
    }
  }
  modelCache.set(key, result);
  return result;
}
function schemaErrors(Model, value) {
  try {
    new Model(value).validate();
    return [];
  } catch (e) {
    const list = Array.isArray(e?.errors) ? e.errors : null;
    if (!list) return [`schema: ${e?.message ?? e}`];
    return list.map((x) => {
      const at = dotted(
        (x.instancePath ?? "")
          .split("/")
          .slice(1)
          .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
          .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s)),
      );
      let msg = x.message ?? x.keyword;
      if (x.keyword === "required") msg = `must have required property '${x.params?.missingProperty}'`;
      return `schema: ${at || "(document)"}: ${msg}`;
    });
  }
}

// -------------------------------------------------------------- TypeScript

const DEEP_PARTIAL =
  "type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;\n";

// Writes a value as a TypeScript literal, noting where each property and
// element starts and ends so that a diagnostic can be traced to its path.
function literal(value, at, w) {
  const start = w.text.length;
  if (value === null || value === undefined) w.text += "null";
  else if (value instanceof Date) w.text += JSON.stringify(value.toISOString());
  else if (Array.isArray(value)) {
    w.text += "[";
    value.forEach((v, i) => {
      if (i) w.text += ", ";
      literal(v, [...at, i], w);
    });
    w.text += "]";
  } else if (typeof value === "object") {
    w.text += "{";
    Object.entries(value).forEach(([k, v], i) => {
      if (i) w.text += ", ";
      const keyStart = w.text.length;
      w.text += `${JSON.stringify(k)}: `;
      literal(v, [...at, k], w);
      w.spans.push({ start: keyStart, end: w.text.length, at: [...at, k] });
    });
    w.text += "}";
  } else if (typeof value === "number" && !Number.isFinite(value)) w.text += "Infinity";
  else w.text += JSON.stringify(value);
  if (typeof at[at.length - 1] === "number") w.spans.push({ start, end: w.text.length, at });
}

const compilerOptions = ts.convertCompilerOptionsFromJson(
  {
    strict: true,
    noEmit: true,
    target: "es2022",
    module: "esnext",
    moduleResolution: "bundler",
    lib: ["es2022"],
    types: [],
    skipLibCheck: true,
  },
  here,
).options;

// The library and kubernetes-models declarations, parsed once per process.
const sourceCache = new Map();

// Type-checks many objects in one compiler run. Each entry is { value,
// module, kind, partial }; returns one list of messages per entry.
function typeErrors(entries) {
  const results = entries.map(() => []);
  if (!entries.length) return results;
  const aliases = new Map();
  for (const e of entries) {
    const key = `${e.module}#${e.kind}`;
    if (!aliases.has(key)) aliases.set(key, { alias: `T${aliases.size}`, module: e.module, kind: e.kind });
  }
  let header = DEEP_PARTIAL;
  for (const { alias, module, kind } of aliases.values()) header += `import type { I${kind} as ${alias} } from ${JSON.stringify(module)};\n`;
  const w = { text: header, spans: [] };
  const ranges = [];
  entries.forEach((e, i) => {
    const { alias } = aliases.get(`${e.module}#${e.kind}`);
    w.text += `export const v${i}: ${e.partial ? `DeepPartial<${alias}>` : alias} = `;
    const start = w.text.length;
    const spanStart = w.spans.length;
    literal(e.value, [], w);
    ranges.push({ start, end: w.text.length, spans: w.spans.slice(spanStart) });
    w.text += ";\n";
  });

  const fileName = path.join(here, "__manifests__.ts");
  const host = ts.createCompilerHost(compilerOptions, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => {
    if (path.resolve(name) === fileName) return ts.createSourceFile(name, w.text, lang, true);
    if (!sourceCache.has(name)) sourceCache.set(name, getSourceFile.call(host, name, lang, ...rest));
    return sourceCache.get(name);
  };
  host.fileExists = (name) => path.resolve(name) === fileName || fileExists.call(host, name);
  host.readFile = (name) => (path.resolve(name) === fileName ? w.text : readFile.call(host, name));
  const program = ts.createProgram([fileName], compilerOptions, host);
  const sf = program.getSourceFile(fileName);
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  for (const d of diagnostics) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n");
    const message = (text.length > 1 && /^Type '\{/.test(text[0]) ? text[text.length - 1] : text[0])
      .trim()
      .replace(/'"([^"']*)"'/g, "'$1'")
      .replace(/ in type '\{.*\}' but/, " but")
      .replace(/'\{[^']{60,}\}'/g, "'{...}'");
    const i = d.start === undefined ? -1 : ranges.findIndex((r) => d.start >= r.start && d.start <= r.end);
    if (i < 0) throw new Error(`TypeScript: ${text.join(" ")}`);
    let best = null;
    for (const s of ranges[i].spans) {
      if (d.start >= s.start && d.start < s.end && (!best || s.end - s.start < best.end - best.start)) best = s;
    }
    results[i].push(`types: ${best ? dotted(best.at) : "(document)"}: ${message}`);
  }
  return results;
}

// ------------------------------------------------------ document checking

// Checks documents one by one, the schema and the types. Each item is
// { where, value, partial }; fills item.errors.
async function checkDocuments(items) {
  const typed = [];
  for (const item of items) {
    item.errors = [];
    const v = item.value;
    if (!isObject(v)) {
      item.errors.push("not a mapping: every document must be one Kubernetes object");
      continue;
    }
    item.errors.push(...findDates(v));
    const model = await modelOf(v);
    if (model.error) {
      item.errors.push(model.error);
      continue;
    }
    if (!item.partial) {
      if (typeof v.metadata?.name !== "string" || !v.metadata.name) item.errors.push("metadata.name: every object needs a name");
      item.errors.push(...schemaErrors(model.Model, v));
    }
    typed.push({ item, entry: { value: v, module: model.module, kind: v.kind, partial: item.partial } });
  }
  const results = typeErrors(typed.map((t) => t.entry));
  typed.forEach((t, i) => t.item.errors.push(...results[i]));
}

// ----------------------------------------------------------- cross-checks

function quantity(q) {
  if (typeof q === "number") return q;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?[0-9]+))?$/.exec(String(q));
  if (!m) return NaN;
  let v = Number(m[1]);
  if (m[2]) v *= 1024 ** ("KMGTPE".indexOf(m[2][0]) + 1);
  else if (m[3]) v *= { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }[m[3]];
  else if (m[4] !== undefined) v *= 10 ** Number(m[4]);
  return v;
}

function selects(selector, labels) {
  if (!isObject(selector)) return false;
  labels = isObject(labels) ? labels : {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    const ok = { In: has && values.includes(labels[e.key]), NotIn: !has || !values.includes(labels[e.key]), Exists: has, DoesNotExist: !has }[e.operator];
    if (!ok) return false;
  }
  return true;
}

// Service selectors are plain maps.
const mapSelects = (map, labels) => isObject(map) && Object.keys(map).length > 0 && selects({ matchLabels: map }, labels);

// The PORTREG_ variables the server reads, from its option table.
function knownSettings() {
  const dir = path.join(repo, "server");
  const names = new Set();
  if (!fs.existsSync(dir)) return names;
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith(".c")) continue;
    for (const m of fs.readFileSync(path.join(dir, f), "utf8").matchAll(/"(PORTREG_[A-Z0-9_]+)"/g)) names.add(m[1]);
  }
  return names;
}
const settings = knownSettings();

const containersOf = (d) => [...(d.spec?.template?.spec?.initContainers ?? []), ...(d.spec?.template?.spec?.containers ?? [])];

function portMatches(port, containerPorts) {
  if (typeof port === "string" && !/^[0-9]+$/.test(port)) return containerPorts.some((p) => p.name === port);
  return containerPorts.some((p) => p.containerPort === Number(port));
}

function checkDeployment(d, set, err) {
  const spec = d.spec ?? {};
  const pod = spec.template?.spec ?? {};
  const podLabels = spec.template?.metadata?.labels ?? {};
  if (!selects(spec.selector, podLabels)) err("spec.selector does not select the pod template's labels");

  const hpas = set.filter((o) => o.kind === "HorizontalPodAutoscaler" && o.spec?.scaleTargetRef?.kind === "Deployment" && o.spec?.scaleTargetRef?.name === d.metadata?.name);
  if (hpas.length && spec.replicas !== undefined)
    err(`spec.replicas is set, but ${idOf(hpas[0])} scales this Deployment: every apply would reset the count`);

  const strategy = spec.strategy ?? {};
  if (strategy.type === "Recreate") err("spec.strategy is Recreate: every pod stops before new ones start");
  else {
    const ru = strategy.rollingUpdate ?? {};
    const unavailable = ru.maxUnavailable ?? "25%";
    const surge = ru.maxSurge ?? "25%";
    if (!(unavailable === 0 || unavailable === "0%")) err("spec.strategy.rollingUpdate.maxUnavailable must be 0: a rollout must not take serving pods away before new ones are ready");
    if (surge === 0 || surge === "0%") err("spec.strategy.rollingUpdate.maxSurge must be above 0 when maxUnavailable is 0, or no rollout can start");
  }

  const sc = pod.securityContext ?? {};
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  for (const v of volumes.values()) {
    const ref = v.configMap?.name;
    if (ref && !v.configMap.optional && !set.some((o) => o.kind === "ConfigMap" && o.metadata?.name === ref))
      err(`volume "${v.name}" mounts ConfigMap "${ref}", which is not among these objects`);
  }

  for (const [ci, c] of (pod.containers ?? []).entries()) {
    const at = `spec.template.spec.containers[${ci}] (${c.name})`;
    const ports = c.ports ?? [];
    const image = String(c.image ?? "");
    if (!/@sha256:[0-9a-f]{64}$/.test(image) && !/:[\w][\w.-]{0,127}$/.test(image.replace(/^[^/]*\//, "")))
      err(`${at}.image "${image}" has no tag: replicas could run different images`);
    else if (/:latest$/.test(image)) err(`${at}.image "${image}" is :latest: replicas could run different images`);

    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const p = c[probe];
      if (!isObject(p)) {
        err(`${at} has no ${probe}`);
        continue;
      }
      const handler = p.httpGet ?? p.tcpSocket ?? p.grpc;
      if (!handler) err(`${at}.${probe} has no httpGet, tcpSocket or grpc check`);
      else if (!portMatches(handler.port, ports)) err(`${at}.${probe} port ${JSON.stringify(handler.port)} names no containerPort of the container`);
    }
    if (c.readinessProbe?.httpGet && c.readinessProbe.httpGet.path !== "/readyz") err(`${at}.readinessProbe must ask /readyz, which turns 503 while the server drains`);
    if (c.livenessProbe?.httpGet && c.livenessProbe.httpGet.path !== "/healthz") err(`${at}.livenessProbe must ask /healthz`);

    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ["cpu", "memory"]) if (req[r] === undefined) err(`${at}.resources.requests.${r} is not set`);
    if (lim.memory === undefined) err(`${at}.resources.limits.memory is not set`);
    for (const [r, q] of [...Object.entries(req).map((e) => ["requests", ...e]), ...Object.entries(lim).map((e) => ["limits", ...e])].map(([k, r, q]) => [`${k}.${r}`, q])) {
      if (Number.isNaN(quantity(q))) err(`${at}.resources.${r}: "${q}" is not a quantity`);
    }
    for (const [r, q] of Object.entries(req)) {
      if (lim[r] !== undefined && quantity(q) > quantity(lim[r])) err(`${at}.resources.requests.${r} (${q}) exceeds its limit (${lim[r]})`);
    }

    const csc = c.securityContext ?? {};
    const eff = (k) => (csc[k] !== undefined ? csc[k] : sc[k]);
    if (eff("runAsNonRoot") !== true) err(`${at}: runAsNonRoot must be true`);
    const uid = eff("runAsUser");
    if (uid === undefined || uid === 0) err(`${at}: runAsUser must name the image's unprivileged user (10001)`);
    if (csc.readOnlyRootFilesystem !== true) err(`${at}.securityContext.readOnlyRootFilesystem must be true`);
    if (csc.allowPrivilegeEscalation !== false) err(`${at}.securityContext.allowPrivilegeEscalation must be false`);
    if (csc.privileged === true) err(`${at}.securityContext.privileged must not be true`);
    if (!(csc.capabilities?.drop ?? []).includes("ALL")) err(`${at}.securityContext.capabilities.drop must include ALL`);
    if ((csc.capabilities?.add ?? []).length) err(`${at}.securityContext.capabilities.add must be empty`);
    const seccomp = (csc.seccompProfile ?? sc.seccompProfile)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") err(`${at}: seccompProfile.type must be RuntimeDefault`);

    const env = new Map();
    for (const e of c.env ?? []) {
      if (env.has(e.name)) err(`${at}.env names ${e.name} twice`);
      env.set(e.name, e);
      if (settings.size && e.name.startsWith("PORTREG_") && !settings.has(e.name)) err(`${at}.env: ${e.name} is no setting of portreg (see portreg --help)`);
    }
    const seconds = (name, dflt) => {
      const v = env.get(name)?.value;
      return v === undefined ? dflt : Number(v);
    };
    const drain = seconds("PORTREG_DRAIN_DELAY", 0);
    const grace = seconds("PORTREG_SHUTDOWN_GRACE", 10);
    const termination = pod.terminationGracePeriodSeconds ?? 30;
    if (!(termination > drain + grace))
      err(`terminationGracePeriodSeconds (${termination}) must exceed PORTREG_DRAIN_DELAY + PORTREG_SHUTDOWN_GRACE (${drain} + ${grace}), or the kubelet kills requests under way`);
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) err(`${at}.volumeMounts: no volume "${m.name}"`);
    // The files the server reads at start (the plan, a data directory) are
    // not in the image: each must lie on a mount, and a file taken from a
    // ConfigMap must be one of its keys, or the pod never becomes ready.
    for (const name of ["PORTREG_PLAN", "PORTREG_DATA"]) {
      const value = env.get(name)?.value;
      if (value === undefined) continue;
      if (typeof value !== "string" || !value.startsWith("/")) {
        err(`${at}.env: ${name} ${JSON.stringify(value)} is not an absolute path`);
        continue;
      }
      const under = (m) => typeof m.mountPath === "string" && (value === m.mountPath || value.startsWith(`${m.mountPath.replace(/\/+$/, "")}/`));
      const mount = (c.volumeMounts ?? []).filter(under).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
      if (!mount) {
        err(`${at}.env: ${name} (${value}) lies on no volumeMount of the container, and the image has no such file`);
        continue;
      }
      const cm = volumes.get(mount.name)?.configMap;
      const object = cm && set.find((o) => o.kind === "ConfigMap" && o.metadata?.name === cm.name);
      if (!object || name !== "PORTREG_PLAN") continue;
      const rest = mount.subPath !== undefined ? mount.subPath : value.slice(mount.mountPath.replace(/\/+$/, "").length + 1);
      const keys = Array.isArray(cm.items) ? cm.items.map((i) => i.path) : Object.keys({ ...object.data, ...object.binaryData });
      if (!keys.includes(rest)) err(`${at}.env: ${name} (${value}) is no file of ${idOf(object)} mounted at ${mount.mountPath} (it has ${keys.join(", ") || "none"})`);
    }
  }
}

// Cross-checks among the objects of one set (what one `kubectl apply -k`
// would create). Returns messages prefixed with the object they concern.
function crossCheck(set) {
  const errors = [];
  const seen = new Set();
  for (const o of set) {
    const key = `${o.apiVersion} ${idOf(o)}`;
    if (seen.has(key)) errors.push(`${idOf(o)}: defined twice`);
    seen.add(key);
  }
  const deployments = set.filter((o) => o.apiVersion === "apps/v1" && o.kind === "Deployment");
  const podsOf = (d) => d.spec?.template?.metadata?.labels ?? {};
  for (const o of set) {
    const err = (m) => errors.push(`${idOf(o)}: ${m}`);
    if (o.apiVersion === "apps/v1" && o.kind === "Deployment") checkDeployment(o, set, err);
    else if (o.apiVersion === "v1" && o.kind === "Service") {
      const selector = o.spec?.selector;
      const targets = deployments.filter((d) => mapSelects(selector, podsOf(d)));
      if (!targets.length) {
        err(`spec.selector ${JSON.stringify(selector ?? {})} selects no pod of any Deployment here`);
        continue;
      }
      for (const [i, p] of (o.spec?.ports ?? []).entries()) {
        const target = p.targetPort ?? p.port;
        for (const d of targets) {
          if (!containersOf(d).some((c) => portMatches(target, c.ports ?? [])))
            err(`spec.ports[${i}].targetPort ${JSON.stringify(target)} names no containerPort of ${idOf(d)}`);
        }
      }
    } else if (o.apiVersion === "autoscaling/v2" && o.kind === "HorizontalPodAutoscaler") {
      const ref = o.spec?.scaleTargetRef ?? {};
      const d = deployments.find((x) => ref.apiVersion === "apps/v1" && ref.kind === "Deployment" && x.metadata?.name === ref.name);
      if (!d) {
        err(`spec.scaleTargetRef (${ref.apiVersion} ${ref.kind}/${ref.name}) targets no Deployment here`);
        continue;
      }
      const min = o.spec?.minReplicas ?? 1;
      const max = o.spec?.maxReplicas;
      if (max < min) err(`spec.maxReplicas (${max}) is below minReplicas (${min})`);
      if (min < 2) err(`spec.minReplicas (${min}) leaves a single pod: one node going away empties the Service`);
      for (const m of o.spec?.metrics ?? []) {
        const r = m.type === "Resource" ? m.resource : null;
        if (r?.target?.type !== "Utilization") continue;
        for (const c of d.spec?.template?.spec?.containers ?? [])
          if (c.resources?.requests?.[r.name] === undefined) err(`scales on ${r.name} utilization, but container ${c.name} of ${idOf(d)} requests no ${r.name}`);
      }
      const pdbs = set.filter((p) => p.kind === "PodDisruptionBudget" && selects(p.spec?.selector, podsOf(d)));
      for (const p of pdbs) {
        const ma = p.spec?.maxUnavailable;
        const mi = p.spec?.minAvailable;
        if (ma === 0 || ma === "0%" || (typeof mi === "number" && mi >= min) || mi === "100%")
          err(`${idOf(p)} allows no eviction at minReplicas ${min}: node drains would hang`);
      }
    } else if (o.apiVersion === "policy/v1" && o.kind === "PodDisruptionBudget") {
      if (!deployments.some((d) => selects(o.spec?.selector, podsOf(d)))) err(`spec.selector selects no pod of any Deployment here`);
      if ((o.spec?.minAvailable === undefined) === (o.spec?.maxUnavailable === undefined)) err("spec needs exactly one of minAvailable and maxUnavailable");
    } else if (o.apiVersion === "v1" && o.kind === "ConfigMap") {
      let bytes = 0;
      for (const v of Object.values(o.data ?? {})) bytes += Buffer.byteLength(String(v));
      for (const v of Object.values(o.binaryData ?? {})) bytes += Math.floor((String(v).length * 3) / 4);
      if (bytes > 1024 * 1024) err(`holds ${bytes} bytes; a ConfigMap holds at most 1 MiB (1048576)`);
    }
  }
  return errors;
}

// ---------------------------------------------------------- kustomizations

const KUSTOMIZATION_KEYS = new Set([
  "apiVersion", "kind", "metadata", "resources", "components", "crds", "bases", "namespace", "namePrefix", "nameSuffix",
  "commonLabels", "labels", "commonAnnotations", "patches", "patchesStrategicMerge", "patchesJson6902", "images", "replicas",
  "replacements", "vars", "configMapGenerator", "secretGenerator", "generatorOptions", "generators", "transformers",
  "validators", "configurations", "openapi", "helmCharts", "helmGlobals", "sortOptions", "buildMetadata",
]);
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const kustomizationIn = (dir) => KUSTOMIZATION_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));

// Checks one kustomization file: its keys, and that everything it names
// exists. Returns { errors, resources: [abs paths], patches: [abs paths] }.
function checkKustomization(file) {
  const dir = path.dirname(file);
  const errors = [];
  const resources = [];
  const patches = [];
  const { docs, errors: yamlErrors } = readYaml(file);
  errors.push(...yamlErrors);
  if (docs.length !== 1 || !isObject(docs[0].value)) {
    errors.push("must hold exactly one mapping");
    return { errors, resources, patches };
  }
  const k = docs[0].value;
  if (k.apiVersion !== "kustomize.config.k8s.io/v1beta1") errors.push(`apiVersion must be kustomize.config.k8s.io/v1beta1, not ${JSON.stringify(k.apiVersion)}`);
  if (k.kind !== "Kustomization") errors.push(`kind must be Kustomization, not ${JSON.stringify(k.kind)}`);
  for (const key of Object.keys(k)) if (!KUSTOMIZATION_KEYS.has(key)) errors.push(`${key}: not a field of a Kustomization`);
  const list = (key) => {
    const v = k[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      errors.push(`${key}: must be a list`);
      return [];
    }
    return v;
  };
  const local = (key, p) => {
    if (typeof p !== "string" || !p) {
      errors.push(`${key}: ${JSON.stringify(p)} is not a path`);
      return null;
    }
    if (/^[a-z]+:\/\/|^github\.com\/|^git@/.test(p)) {
      errors.push(`${key}: ${p}: remote bases cannot be checked or pinned here; keep everything in the repository`);
      return null;
    }
    const abs = path.resolve(dir, p);
    if (!fs.existsSync(abs)) {
      errors.push(`${key}: ${p} does not exist`);
      return null;
    }
    return abs;
  };
  const replacedBy = { bases: "resources", patchesStrategicMerge: "patches", patchesJson6902: "patches", vars: "replacements", commonLabels: "labels" };
  for (const [key, instead] of Object.entries(replacedBy)) if (k[key] !== undefined) errors.push(`${key}: deprecated; use ${instead}`);
  for (const r of [...list("resources"), ...list("components")]) {
    const abs = local("resources", r);
    if (!abs) continue;
    if (fs.statSync(abs).isDirectory()) {
      if (!kustomizationIn(abs)) errors.push(`resources: ${r} is a directory without a kustomization.yaml`);
    } else if (!/\.ya?ml$/.test(abs)) errors.push(`resources: ${r} is not a YAML file`);
    resources.push(abs);
  }
  for (const [i, p] of list("patches").entries()) {
    if (!isObject(p) || (p.path === undefined) === (p.patch === undefined)) {
      errors.push(`patches[${i}]: needs exactly one of path and patch`);
      continue;
    }
    for (const key of Object.keys(p)) if (!["path", "patch", "target", "options"].includes(key)) errors.push(`patches[${i}].${key}: not a field of a patch`);
    if (p.path !== undefined) {
      const abs = local(`patches[${i}].path`, p.path);
      if (abs) patches.push(abs);
    }
  }
  for (const gen of ["configMapGenerator", "secretGenerator"]) {
    for (const [i, g] of list(gen).entries()) {
      if (!isObject(g) || typeof g.name !== "string" || !g.name) {
        errors.push(`${gen}[${i}]: needs a name`);
        continue;
      }
      for (const key of Object.keys(g))
        if (!["name", "namespace", "behavior", "files", "literals", "envs", "env", "options", "type"].includes(key)) errors.push(`${gen}[${i}].${key}: not a field of a generator`);
      for (const key of ["files", "envs", "literals"]) if (g[key] !== undefined && !Array.isArray(g[key])) errors.push(`${gen}[${i}].${key}: must be a list`);
      const listed = (key) => (Array.isArray(g[key]) ? g[key] : []);
      for (const f of [...listed("files"), ...listed("envs")]) local(`${gen}[${i}].files`, String(f).replace(/^[^=]*=/, ""));
      for (const l of listed("literals")) if (!/^[^=]+=/.test(String(l))) errors.push(`${gen}[${i}].literals: "${l}" is not KEY=VALUE`);
    }
  }
  if (k.generatorOptions !== undefined) {
    if (!isObject(k.generatorOptions)) errors.push("generatorOptions: must be a mapping");
    else
      for (const key of Object.keys(k.generatorOptions))
        if (!["labels", "annotations", "disableNameSuffixHash", "immutable"].includes(key)) errors.push(`generatorOptions.${key}: not a generator option`);
  }
  for (const [i, img] of list("images").entries()) {
    if (!isObject(img) || typeof img.name !== "string") {
      errors.push(`images[${i}]: needs a name`);
      continue;
    }
    for (const key of Object.keys(img)) if (!["name", "newName", "newTag", "digest", "tagSuffix"].includes(key)) errors.push(`images[${i}].${key}: not a field of an image`);
    if (img.newName === undefined && img.newTag === undefined && img.digest === undefined) errors.push(`images[${i}]: sets none of newName, newTag, digest`);
    for (const key of ["newName", "newTag", "digest"])
      if (img[key] !== undefined && typeof img[key] !== "string") {
        const as = img[key] instanceof Date ? "date" : typeof img[key];
        errors.push(`images[${i}].${key}: YAML reads ${JSON.stringify(img[key])} as a ${as}: quote it`);
      }
  }
  // A manifest beside the kustomization that it does not name would never
  // be applied.
  const named = new Set([...resources, ...patches]);
  for (const f of fs.readdirSync(dir)) {
    const abs = path.join(dir, f);
    if (/\.ya?ml$/.test(f) && abs !== file && !named.has(abs)) errors.push(`${f} is beside the kustomization but not in its resources or patches`);
  }
  return { errors, resources, patches };
}

// The documents of a kustomization without rendering it: its resource files
// and, recursively, its resource directories.
function unrendered(dir, seen = new Set()) {
  const file = kustomizationIn(dir);
  if (!file || seen.has(dir)) return [];
  seen.add(dir);
  const { resources } = checkKustomization(file);
  const out = [];
  for (const r of resources) {
    if (fs.statSync(r).isDirectory()) out.push(...unrendered(r, seen));
    else out.push(...readYaml(r).docs.map((d) => d.value));
  }
  return out;
}

let kubectlVersion;
function kubectl() {
  if (kubectlVersion !== undefined) return kubectlVersion;
  try {
    const out = execFileSync(process.env.KUBECTL ?? "kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60000 });
    const v = JSON.parse(out);
    kubectlVersion = `kubectl ${v.clientVersion?.gitVersion ?? "?"}, kustomize ${v.kustomizeVersion ?? "?"}`;
  } catch {
    kubectlVersion = null;
  }
  return kubectlVersion;
}

function render(dir) {
  try {
    const out = execFileSync(process.env.KUBECTL ?? "kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120000, maxBuffer: 64 << 20 });
    return { text: out };
  } catch (e) {
    return { error: `kubectl kustomize failed: ${String(e.stderr || e.message).trim().split("\n").slice(0, 3).join(" ")}` };
  }
}

// ------------------------------------------------------------------ runs

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

// Checks everything under deploy/kubernetes. Returns { checks: [{ name,
// errors }], notes: [string], documents }.
async function validateTree() {
  const checks = [];
  const notes = [];
  const files = walk(deployDir);
  const kustomizations = files.filter((f) => KUSTOMIZATION_FILES.includes(path.basename(f)));
  const patchFiles = new Set();
  const kchecks = [];
  for (const k of kustomizations) {
    const r = checkKustomization(k);
    r.patches.forEach((p) => patchFiles.add(p));
    kchecks.push({ name: `${rel(k)}: shape and files`, errors: r.errors });
  }

  // Every YAML file on its own, then every kustomization as a whole
  // (rendered if kubectl is here); the documents of all are type-checked in
  // one compiler run.
  let documents = 0;
  const items = [];
  const fileChecks = [];
  for (const f of files.filter((f) => /\.ya?ml$/.test(f) && !KUSTOMIZATION_FILES.includes(path.basename(f)))) {
    const { docs, errors } = readYaml(f);
    const check = { name: `${rel(f)}${patchFiles.has(f) ? " (patch)" : ""}`, errors: [...errors], items: [] };
    if (!docs.length && !errors.length) check.errors.push("holds no document");
    for (const d of docs) {
      const item = { value: d.value, partial: patchFiles.has(f), label: `document ${d.index + 1} (${idOf(d.value)})` };
      check.items.push(item);
      items.push(item);
      documents++;
    }
    fileChecks.push(check);
  }

  const version = kubectl();
  if (version) notes.push(`rendered with ${version}`);
  else notes.push("kubectl not found: kustomizations checked unrendered (resources only, without patches, generators and images)");
  const setChecks = [];
  for (const k of kustomizations) {
    const dir = path.dirname(k);
    const check = { name: `${rel(dir)}: ${version ? "kubectl kustomize" : "resources"}, objects and cross-checks`, errors: [], items: [], set: [] };
    setChecks.push(check);
    if (version) {
      const r = render(dir);
      if (r.error) {
        check.errors.push(r.error);
        continue;
      }
      const parsed = readYaml(path.join(dir, "(rendered)"), r.text);
      check.errors.push(...parsed.errors);
      check.set = parsed.docs.map((d) => d.value);
      for (const value of check.set) {
        const item = { value, partial: false, label: idOf(value) };
        check.items.push(item);
        items.push(item);
      }
    } else {
      check.set = unrendered(dir);
    }
  }

  await checkDocuments(items);
  for (const c of fileChecks) {
    for (const it of c.items) c.errors.push(...it.errors.map((e) => `${it.label}: ${e}`));
    checks.push({ name: c.name, errors: c.errors });
  }
  checks.push(...kchecks);
  for (const c of setChecks) {
    for (const it of c.items) c.errors.push(...it.errors.map((e) => `${it.label}: ${e}`));
    c.errors.push(...crossCheck(c.set.filter(isObject)));
    checks.push({ name: c.name, errors: c.errors });
  }

  return { checks, notes, documents };
}

// The base's objects, which each fixture is laid over.
function baseSet() {
  return unrendered(path.join(deployDir, "base"));
}

function expectations(text) {
  return [...text.matchAll(/^#\s*expect:\s*(.+?)\s*$/gm)].map((m) => m[1]);
}

async function selfTest() {
  const checks = [];
  const tree = await validateTree();
  const bad = tree.checks.filter((c) => c.errors.length);
  checks.push({
    name: "the manifests under deploy/kubernetes are accepted",
    errors: bad.flatMap((c) => c.errors.map((e) => `${c.name}: ${e}`)),
  });

  // Read every fixture, type-check all their documents in one run, then
  // judge each.
  const base = baseSet();
  const fixtures = [];
  for (const entry of fs.readdirSync(fixturesDir).sort()) {
    const p = path.join(fixturesDir, entry);
    if (fs.statSync(p).isDirectory()) {
      const k = kustomizationIn(p);
      if (k) fixtures.push({ p, expect: expectations(fs.readFileSync(k, "utf8")), reported: checkKustomization(k).errors, items: [] });
    } else if (/\.ya?ml$/.test(entry)) {
      const text = fs.readFileSync(p, "utf8");
      const { docs, errors } = readYaml(p, text);
      const items = docs.map((d) => ({ value: d.value, partial: false }));
      // Laid over the base: a fixture object replaces the base's object of
      // the same kind and name, so that its one defect is the only one.
      const mine = docs.map((d) => d.value).filter(isObject);
      const standalone = /^#\s*base:\s*none\s*$/m.test(text);
      const set = [...(standalone ? [] : base.filter((b) => !mine.some((m) => idOf(m) === idOf(b)))), ...mine];
      fixtures.push({ p, expect: expectations(text), reported: [...errors, ...crossCheck(set)], items });
    }
  }
  await checkDocuments(fixtures.flatMap((f) => f.items));
  for (const f of fixtures) {
    const reported = [...f.items.flatMap((it) => it.errors.map((e) => `${idOf(it.value)}: ${e}`)), ...f.reported];
    const errors = [];
    if (!f.expect.length) errors.push("has no '# expect:' line");
    if (!reported.length) errors.push("was accepted");
    for (const r of reported) if (!f.expect.some((x) => r.includes(x))) errors.push(`rejected for an unexpected reason: ${r}`);
    for (const x of f.expect) if (!reported.some((r) => r.includes(x))) errors.push(`no error mentions "${x}"; got: ${reported.join(" | ") || "none"}`);
    checks.push({ name: `rejects ${rel(f.p)}`, errors, reported });
  }
  return { checks, notes: tree.notes, documents: tree.documents };
}

// ------------------------------------------------------------------ main

const args = process.argv.slice(2);
const unknown = args.filter((a) => !["--self-test", "--verbose", "-v"].includes(a));
if (unknown.length) {
  console.error(`usage: node validate.mjs [--self-test] [--verbose]\n(unknown: ${unknown.join(" ")})`);
  process.exit(2);
}
const selfTesting = args.includes("--self-test");
const verbose = args.includes("--verbose") || args.includes("-v");

const started = Date.now();
let result;
try {
  result = selfTesting ? await selfTest() : await validateTree();
} catch (e) {
  console.log(`FAIL the checks themselves: ${e?.stack ?? e}`);
  console.log("kubernetes: 0 passed, 1 failed");
  process.exit(1);
}
const { checks, notes, documents } = result;
for (const c of checks) {
  console.log(`${c.errors.length ? "FAIL" : "ok  "} ${c.name}`);
  for (const e of c.errors) console.log(`       ${e}`);
  if (verbose && c.reported) for (const r of c.reported) console.log(`       (${r})`);
}
const failed = checks.filter((c) => c.errors.length).length;
const what = selfTesting ? "self-test of the manifest checks" : `${documents} documents under ${rel(deployDir)}`;
console.log(
  `${what}: Kubernetes ${KUBERNETES} API schema (kubernetes-models ${modelsVersion}, typescript ${ts.version}); ${notes.join("; ")}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
console.log(`kubernetes: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
