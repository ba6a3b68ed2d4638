// The registry explorer in a real browser: Debian's headless Chromium, driven
// by puppeteer-core, against the real server on a loopback port with the
// whole registry. Reaches every view by typing and clicking, reloads each
// view's URL, goes back and forward, audits each view with axe-core, times
// the first render and the search, and writes a screenshot of each view.
//
// usage: node explorer.mjs   (PORTREG, PORTREG_DATA, CHROMIUM, SHOTS override
// the binary, the data (default: the registry built into the binary), the
// browser and where screenshots go)
// Exits 0 when every check holds; stops by itself within DEADLINE_MS.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const portreg = process.env.PORTREG || path.join(root, 'build-test', 'portreg');
const data = process.env.PORTREG_DATA || null;
const shots = process.env.SHOTS || path.join(path.dirname(portreg), 'browser');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const DEADLINE_MS = 90_000;
const LIMITS = { firstRenderMs: 150, searchMs: 50, pageBytes: 60 * 1024 };

let failures = 0;
let passes = 0;
function check(ok, what) {
  if (ok) passes++;
  else {
    failures++;
    console.log('FAIL: ' + what);
  }
}

let server = null;
let browser = null;
let profile = null;
async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server && server.exitCode === null) server.kill('SIGTERM');
  if (profile) rmSync(profile, { recursive: true, force: true });
}
// Stops the server and the browser however the test ends: over time, or
// told to stop (a CI timeout), so that nothing is left running.
function abandon(why) {
  console.log('FAIL: ' + why);
  if (server) server.kill('SIGKILL');
  if (browser) browser.process()?.kill('SIGKILL');
  if (profile) rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}
const deadline = setTimeout(() => abandon(`the browser test ran over ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => abandon('stopped by ' + signal));

function startServer() {
  return new Promise((resolve, reject) => {
    const args = ['serve', '--listen', '127.0.0.1:0', ...(data ? ['--data', data] : [])];
    server = spawn(portreg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const seen = (chunk) => {
      log += chunk;
      const m = /on http:\/\/(127\.0\.0\.1:\d+)\//.exec(log);
      if (m) resolve('http://' + m[1]);
    };
    server.stdout.on('data', seen);
    server.stderr.on('data', seen);
    server.on('exit', (code) => reject(new Error(`portreg exited (${code}) before serving:\n${log}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (typeof x === 'number' && isFinite(x) ? x.toFixed(1) + ' ms' : 'n/a');

async function main() {
  if (data && !existsSync(path.join(data, 'service-names-port-numbers.csv'))) {
    console.log(`FAIL: no registry files in ${data}`);
    clearTimeout(deadline);
    process.exit(1);
  }
  mkdirSync(shots, { recursive: true });
  const base = await startServer();
  console.log('server: ' + base);

  // The page's weight: every file it loads, as served, uncompressed.
  let bytes = 0;
  for (const [p, accept] of [['/', 'text/html'], ['/app.js'], ['/app.css'], ['/favicon.svg']]) {
    const r = await fetch(base + p, { headers: accept ? { Accept: accept } : {} });
    bytes += (await r.arrayBuffer()).byteLength;
  }
  console.log(`page size: ${bytes} bytes uncompressed (limit ${LIMITS.pageBytes})`);
  check(bytes < LIMITS.pageBytes, `the page is ${bytes} bytes`);
  const json = await fetch(base + '/');
  check(json.headers.get('content-type') === 'application/json', 'GET / without Accept is JSON');

  profile = mkdtempSync(path.join(os.tmpdir(), 'portreg-chromium-'));
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    handleSIGTERM: false, // abandon() above does it, server included
    handleSIGINT: false,
    handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(base + '/')) problems.push('a request off the server: ' + r.url());
  });
  page.on('requestfailed', (r) => {
    // a search overtaken by the next key is aborted on purpose
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push('failed: ' + r.url());
  });

  const viewShown = (hash) => page.waitForFunction(
    (h) => document.getElementById('main').dataset.view === h &&
      !document.getElementById('main').hasAttribute('aria-busy'), { timeout: 5000 }, hash);
  const h1 = () => page.$eval('main h1', (e) => e.textContent);
  const shot = (name) => page.screenshot({ path: path.join(shots, name + '.png') });

  // ---- first render, in a fresh profile ----
  const nav = await page.goto(base + '/', { waitUntil: 'load' });
  check(nav.headers()['content-type'].startsWith('text/html'), 'a browser gets the page at /');
  check(/default-src 'self'/.test(nav.headers()['content-security-policy'] || ''), 'the page has its CSP');
  // Vary names Accept (the page or the JSON index), and Accept-Encoding as
  // the page goes out gzip-encoded to a browser
  const vary = (nav.headers().vary || '').split(/\s*,\s*/);
  check(vary.includes('Accept'), '/ says Vary: Accept');
  check(nav.headers()['content-encoding'] === 'gzip' && vary.includes('Accept-Encoding'),
    'the page goes out gzip-encoded, with Vary: Accept-Encoding');
  await viewShown('#/');
  const first = await page.evaluate(() => ({
    render: performance.getEntriesByName('pr-first-render')[0].startTime,
    paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
  }));
  console.log(`first render, the browser's very first page: ${ms(first.render)} after navigation start (first contentful paint ${ms(first.paint)})`);
  // The browser's own start-up (a renderer process, its caches) is no cost of
  // the page: the target is timed on later loads, each a new document that
  // fetches every file from the server again (the HTTP cache is off).
  await page.setCacheEnabled(false);
  const loads = [];
  for (let i = 0; i < 5; i++) {
    await page.goto('about:blank');
    await page.goto(base + '/', { waitUntil: 'load' });
    await viewShown('#/');
    loads.push(await page.evaluate(() => ({
      render: performance.getEntriesByName('pr-first-render')[0].startTime,
      paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    })));
  }
  const deep = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('about:blank');
    await page.goto(base + '/#/port/3493', { waitUntil: 'load' });
    await viewShown('#/port/3493');
    deep.push(await page.evaluate(() => performance.getEntriesByName('pr-first-render')[0].startTime));
  }
  console.log(`first render of a deep link (#/port/3493, four API calls), uncached: ${deep.map(ms).join(', ')}`);
  await page.setCacheEnabled(true);
  const renders = loads.map((l) => l.render);
  console.log(`first render, uncached loads: ${renders.map(ms).join(', ')}; median ${ms(median(renders))} ` +
    `(first contentful paint median ${ms(median(loads.map((l) => l.paint)))}); limit ${LIMITS.firstRenderMs} ms`);
  check(median(renders) < LIMITS.firstRenderMs, `first render took ${ms(median(renders))}`);
  check(median(loads.map((l) => l.paint)) < LIMITS.firstRenderMs, 'first contentful paint within the limit too');
  await page.waitForFunction(() => /updated 20\d\d-\d\d-\d\d/.test(document.getElementById('source').textContent));
  check(true, 'the data\'s date is shown');
  await shot('home');

  // ---- search as you type, timed from the last key to the results ----
  await page.evaluate(() => {
    document.addEventListener('keydown', () => { window.lastKey = performance.now(); }, true);
  });
  await page.keyboard.press('/'); // the shortcut to the search box
  check(await page.evaluate(() => document.activeElement.id === 'q'), '/ focuses the search box');
  const timings = [];
  for (const term of ['http', 'postgres', 'Network UPS', 'kerberos', 'x11', 'ssh', '3493', 'nut']) {
    // a frame watcher in the page: the first animation frame that has the
    // results is the one that paints them
    await page.evaluate((t) => {
      document.getElementById('q').value = '';
      window.seen = undefined;
      const main = document.getElementById('main');
      const tick = () => {
        if (main.dataset.results === t) window.seen = performance.now();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }, term);
    await page.keyboard.type(term, { delay: 40 });
    await page.waitForFunction(() => window.seen !== undefined, { timeout: 5000 });
    const t = await page.evaluate((term) => ({
      dom: performance.getEntriesByName('pr-results:' + term).at(-1).startTime - window.lastKey,
      frame: window.seen - window.lastKey,
    }), term);
    timings.push(t);
    console.log(`search "${term}": results in the page ${ms(t.dom)} after the last key, in the frame that paints them at ${ms(t.frame)}`);
  }
  const domMedian = median(timings.map((t) => t.dom));
  const domMax = Math.max(...timings.map((t) => t.dom));
  const frameMedian = median(timings.map((t) => t.frame));
  console.log(`search after the last keystroke: median ${ms(domMedian)}, worst ${ms(domMax)}; ` +
    `painted: median ${ms(frameMedian)}; limit ${LIMITS.searchMs} ms`);
  // the median: one slow sample on a shared machine says little of the page;
  // timed to the frame that paints the results, what a person sees
  check(frameMedian < LIMITS.searchMs, `a search was painted ${ms(frameMedian)} (median) after the last key`);
  check(await page.evaluate(() => location.hash) === '#/search?q=nut', 'the search has its URL');
  // a long answer comes a page at a time
  await page.evaluate(() => { location.hash = '#/search?q=http'; });
  await viewShown('#/search?q=http');
  const before = await page.$$eval('table.records tbody tr', (rows) => rows.length);
  await page.click('main p button');
  await page.waitForFunction((n) => document.querySelectorAll('table.records tbody tr').length > n, { timeout: 5000 }, before);
  check(before === 50, `a search shows 50 records first (${before})`);
  await page.goBack();
  await viewShown('#/search?q=nut');
  const marks = await page.$$eval('main mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
  check(marks.length > 0 && marks.every((m) => m === 'nut'), 'the matches are highlighted');
  await shot('search');

  // ---- keyboard alone: from the search box to a result ----
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.getAttribute('href') === '#/service/nut');
  }
  check(reached, 'Tab reaches the first result');
  await page.keyboard.press('Enter');
  await viewShown('#/service/nut');
  check(await h1() === 'Service nut', 'Enter opens the service page');
  check(await page.evaluate(() => document.activeElement.tagName === 'H1'), 'focus moves to the new view');
  await shot('service');

  // ---- clicking: port, contact, assignee ----
  await page.click('main a[href="#/port/3493"]');
  await viewShown('#/port/3493');
  check(await h1() === 'Port 3493', 'the port page');
  const port = await page.evaluate(() => ({
    statuses: [...document.querySelectorAll('table.status tbody tr')].map((r) => r.textContent),
    records: document.querySelectorAll('table.records tbody tr').length,
    contacts: document.querySelector('main').textContent.includes('Evgeny Klimov'),
    range: document.querySelector('main .lead').textContent,
  }));
  check(port.statuses.length === 4 && port.statuses[0].startsWith('tcpassigned'), 'status per protocol');
  check(port.records === 2 && port.contacts && /User Port/.test(port.range), 'records, range class and contacts');
  await shot('port');
  await page.click('main a[href="#/contact/Evgeny_Klimov"]');
  await viewShown('#/contact/Evgeny_Klimov');
  check(await h1() === 'Contact Evgeny Klimov', 'the contact page');
  await shot('contact');

  // ---- back and forward ----
  await page.goBack();
  await viewShown('#/port/3493');
  check(await h1() === 'Port 3493', 'back returns to the port');
  await page.goForward();
  await viewShown('#/contact/Evgeny_Klimov');
  check(await h1() === 'Contact Evgeny Klimov', 'forward returns to the contact');
  await page.goBack();
  await viewShown('#/port/3493');
  await page.click('main a[href="#/assignee/Network_UPS_Tools_Project"]');
  await viewShown('#/assignee/Network_UPS_Tools_Project');
  check(await h1() === 'Assignee Network UPS Tools Project', 'the assignee page');
  await shot('assignee');

  // a range: every record covering the port, the range included
  await page.evaluate(() => { location.hash = '#/port/6010'; });
  await viewShown('#/port/6010');
  check((await page.$eval('table.records', (t) => t.textContent)).includes('6000-6063'), 'a port inside a range shows it');

  // ---- checking a port choice, from the keyboard ----
  await page.click('nav a[href="#/check"]');
  await viewShown('#/check');
  await page.focus('#c-port');
  await page.keyboard.type('3493');
  await page.keyboard.press('Tab'); // protocol: tcp
  await page.keyboard.press('Tab');
  await page.keyboard.type('my--svc');
  await page.keyboard.press('Enter');
  await viewShown('#/check?port=3493&protocol=tcp&name=my--svc');
  await page.waitForSelector('#one .verdict', { timeout: 5000 });
  const one = await page.$eval('#one', (e) => e.textContent);
  check(one.includes('not sound') && one.includes('is assigned to nut') && one.includes('two hyphens') &&
    /Free ports nearby/.test(one), 'a verdict with reasons, name problems and suggestions');
  await shot('check');
  await page.click('#c-manifest');
  await page.click('#c-run-manifest');
  await page.waitForSelector('#many .verdict', { timeout: 5000 });
  const many = await page.$eval('#many', (e) => ({ verdicts: e.querySelectorAll('.verdict').length, text: e.textContent }));
  check(many.verdicts === 2 && /Clashes between entries/.test(many.text), 'a manifest: a verdict per entry and the clashes');
  await page.$eval('#many', (e) => e.scrollIntoView());
  await shot('check-manifest');

  // ---- every view's URL, reloaded; audited light and dark ----
  const views = [
    ['#/', 'Look up a port, a service or a contact'],
    ['#/search?q=nut', 'Results for “nut”'],
    ['#/port/3493', 'Port 3493'],
    ['#/port/6010', 'Port 6010'],
    ['#/service/nut', 'Service nut'],
    ['#/contact/Evgeny_Klimov', 'Contact Evgeny Klimov'],
    ['#/assignee/Network_UPS_Tools_Project', 'Assignee Network UPS Tools Project'],
    ['#/check?port=3493&protocol=tcp&name=my--svc', 'Check a port choice'],
    ['#/port/99999', 'Not found'],
  ];
  const axeTotals = {};
  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    for (const [hash, title] of views) {
      await page.goto(base + '/' + hash, { waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
      await viewShown(hash);
      check(await h1() === title, `${hash} reloads to "${title}" (${scheme})`);
      await page.evaluate(axeSource);
      const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
        .violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })));
      for (const v of found) {
        const key = `${v.id} (${v.impact})`;
        axeTotals[key] = (axeTotals[key] || 0) + v.nodes;
        if (v.impact === 'serious' || v.impact === 'critical')
          console.log(`  axe ${scheme} ${hash}: ${v.id} ${v.impact} on ${v.nodes} elements`);
      }
      check(!found.some((v) => v.impact === 'serious' || v.impact === 'critical'), `axe: no serious or critical violation on ${hash} (${scheme})`);
    }
  }
  const axeSummary = Object.entries(axeTotals).map(([k, n]) => `${k} x${n}`).join(', ');
  console.log(`axe-core ${JSON.parse(readFileSync(createRequire(import.meta.url).resolve('axe-core/package.json'))).version}: ` +
    `${views.length * 2} audits (${views.length} views, light and dark); violations: ${axeSummary || 'none'}`);
  await page.goto(base + '/#/port/3493', { waitUntil: 'load' });
  await viewShown('#/port/3493');
  await shot('port-dark');

  // ---- a phone ----
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  for (const [hash, name] of [['#/search?q=nut', 'search-phone'], ['#/check?port=3493&protocol=tcp&name=my--svc', 'check-phone'], ['#/port/3493', 'port-phone']]) {
    await page.goto(base + '/' + hash, { waitUntil: 'load' });
    await viewShown(hash);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `${hash}: nothing wider than a phone (${overflow} px over)`);
    await shot(name);
  }

  check(problems.length === 0, 'no console error, failed or outside request:\n  ' + problems.join('\n  '));
  console.log(`screenshots: ${shots}`);
}

try {
  await main();
} catch (e) {
  failures++;
  console.log('FAIL: ' + (e.stack || e));
} finally {
  await cleanup();
  clearTimeout(deadline);
}
console.log(failures ? `browser: ${failures} of ${passes + failures} checks failed` : `browser: all ${passes} checks hold`);
process.exit(failures ? 1 : 0);
