'use strict';
/* The registry explorer: one page over portreg's public API and nothing
 * else, so it doubles as the example for dashboard authors. Views live in
 * the URL's fragment (#/port/3493): every view can be linked, reloaded and
 * reached with back and forward, and the server needs no route per view.
 * The browser's HTTP cache does the ETag revalidation, as for any client. */
(() => {
  const main = document.getElementById('main');
  const q = document.getElementById('q');
  const live = document.getElementById('live');
  const PROTOCOLS = ['tcp', 'udp', 'sctp', 'dccp'];
  const PAGE = 50;
  /* keys closer than this merge into one search (see the input handler) */
  const DEBOUNCE_MS = 25;
  const RANGES = {
    system: 'System Port (0-1023): assigned through IETF review or IESG approval (RFC 6335 section 6)',
    user: 'User Port (1024-49151): assigned by IANA on request (RFC 6335 section 6)',
    dynamic: 'Dynamic Port (49152-65535): never assigned, free for any use (RFC 6335 section 6)',
  };

  /* ---- DOM helpers: text is always set as text, never parsed as HTML ---- */

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity))
      if (kid !== null && kid !== undefined && kid !== false)
        e.append(kid instanceof Node ? kid : String(kid));
    return e;
  }

  /* replaces node's children; kids may nest in arrays, and empty ones are left out */
  function fill(node, ...kids) {
    node.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false && k !== ''));
  }

  /* text with every case-insensitive occurrence of term in <mark> */
  function marked(text, term) {
    const s = String(text ?? '');
    if (!term) return s;
    const frag = document.createDocumentFragment();
    const lower = s.toLowerCase(), t = term.toLowerCase();
    let at = 0;
    for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, at)) {
      frag.append(s.slice(at, i), el('mark', null, s.slice(i, i + t.length)));
      at = i + t.length;
    }
    frag.append(s.slice(at));
    return frag;
  }

  const enc = encodeURIComponent;
  const link = {
    port: (p) => '#/port/' + p,
    service: (n) => '#/service/' + enc(n),
    contact: (id) => '#/contact/' + enc(id),
    assignee: (id) => '#/assignee/' + enc(id),
    search: (t) => (t ? '#/search?q=' + enc(t) : '#/'),
    check: (o) => '#/check?' + new URLSearchParams(o).toString(),
  };

  /* ---- the API ---- */

  class Problem extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  async function api(path, options) {
    const r = await fetch(path, { headers: { Accept: 'application/json' }, ...options });
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Problem(r.status, (body && body.detail) || r.status + ' ' + r.statusText);
    return body;
  }

  /* ---- pieces of views ---- */

  function heading(text) {
    return el('h1', { tabindex: -1 }, text);
  }

  function statusBadge(s) {
    return el('span', { class: 'badge st-' + s }, s);
  }

  function portOf(rec) {
    return rec.range ? rec.range.first + '-' + rec.range.last : String(rec.port);
  }

  /* names: person ID -> name to show, when the view has them */
  function people(ids, kind, names) {
    return (ids || []).map((id, i) => [i ? ', ' : '', el('a', { href: link[kind](id) }, (names && names.get(id)) || id)]);
  }

  function nameMap(persons) {
    return new Map(persons.filter(Boolean).map((p) => [p.id, p.name || p.organization || p.id]));
  }

  const same = (a, b) => (a || []).join() === (b || []).join();

  function records(list, term, names) {
    if (!list.length) return el('p', null, 'No record.');
    const cols = ['Service', 'Port', 'Status', 'Description', 'Assignee and contact', 'Dates'];
    const rows = list.map((r) => {
      const where = r.range
        ? [el('a', { href: link.port(r.range.first) }, portOf(r)), r.protocol ? '/' + r.protocol : '', el('span', { class: 'dim' }, ' range')]
        : r.port === null ? el('span', { class: 'dim' }, r.protocol || 'no port')
          : [el('a', { href: link.port(r.port) }, marked(r.port, term)), r.protocol ? '/' + r.protocol : ''];
      const cells = [
        r.service ? el('a', { href: link.service(r.service) }, marked(r.service, term)) : el('span', { class: 'dim' }, 'none'),
        where,
        statusBadge(r.status),
        [
          marked(r.description ?? '', term),
          r.notes ? el('div', { class: 'dim' }, 'Notes: ', r.notes) : '',
          r.service_code ? el('div', { class: 'dim' }, 'Service code: ', r.service_code) : '',
          r.unauthorized_use ? el('div', { class: 'warn' }, r.unauthorized_use) : '',
          r.reference && r.reference.length ? el('div', { class: 'dim' }, 'Reference: ', marked(r.reference.join(', '), term)) : '',
        ],
        [
          people(r.assignee, 'assignee', names),
          r.contact && r.contact.length && !same(r.contact, r.assignee)
            ? el('div', null, el('span', { class: 'dim' }, 'contact '), people(r.contact, 'contact', names)) : '',
        ],
        [r.registered ? el('div', null, 'registered ' + r.registered) : '', r.modified ? el('div', null, 'modified ' + r.modified) : ''],
      ];
      /* one span per cell: on a phone the cell is a grid of its label and this */
      return el('tr', null, cells.map((c, i) => el(i ? 'td' : 'th', { scope: i ? null : 'row', 'data-label': cols[i] }, el('span', null, c))));
    });
    return el('div', { class: 'table' },
      el('table', { class: 'records' },
        el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, c)))),
        el('tbody', null, rows)));
  }

  function person(p, term) {
    const mail = (p.emails || []).map((m, i) => [i ? ', ' : '', el('a', { href: 'mailto:' + m }, marked(m, term))]);
    const web = (p.uris || []).filter((u) => /^https?:/i.test(u));
    return el('dl', { class: 'facts' },
      el('dt', null, 'ID'), el('dd', null, marked(p.id, term)),
      p.name ? [el('dt', null, 'Name'), el('dd', null, marked(p.name, term))] : '',
      p.organization ? [el('dt', null, 'Organization'), el('dd', null, marked(p.organization, term))] : '',
      mail.length ? [el('dt', null, 'E-mail'), el('dd', null, mail)] : '',
      web.length ? [el('dt', null, 'Web'), el('dd', null, web.map((u, i) => [i ? ', ' : '', el('a', { href: u, rel: 'noreferrer' }, u)]))] : '',
      p.updated ? [el('dt', null, 'Updated'), el('dd', null, p.updated)] : '');
  }

  /* ---- views: each fills main and returns when its data is shown ---- */

  /* asked once: the header and the home view share it */
  const registry = api('/v1/registry');

  /* drawn at once, without waiting for the counts: the first view a visitor sees */
  async function home() {
    const try1 = ['3493', 'nut', 'http', 'postgres', 'Network UPS Tools'];
    const facts = el('dl', { class: 'facts' });
    fill(main,
      heading('Look up a port, a service or a contact'),
      el('p', null, 'Type in the box above: a port number, a service name, words of a description, a contact\'s name or address. ',
        'The answers come from portreg\'s API, the same one scripts and dashboards use.'),
      el('p', null, 'Try: ', try1.map((t, i) => [i ? ', ' : '', el('a', { href: link.search(t) }, t)])),
      el('p', null, 'Or ', el('a', { href: '#/check' }, 'check a port choice'), ' for a new service, one port or a whole manifest.'),
      facts);
    registry.then((reg) => fill(facts,
      el('dt', null, 'Records'), el('dd', null, reg.records),
      el('dt', null, 'Of them ranges'), el('dd', null, reg.ranges),
      el('dt', null, 'Service names'), el('dd', null, reg.services),
      el('dt', null, 'Contacts'), el('dd', null, reg.contacts))).catch(() => {});
  }

  async function search(term, signal) {
    if (q.value.trim() !== term) q.value = term; /* a deep link, or back */
    if (!term) return home();
    const data = await api('/v1/search?q=' + enc(term) + '&limit=' + PAGE, { signal });
    const names = nameMap(data.contacts || []);
    const list = el('div', { class: 'hits' }, records(data.items, term, names));
    const more = el('p');
    let shown = data.items.length;
    const all = data.items.slice();
    const fillMore = () => {
      fill(more, shown < data.total
        ? el('button', { type: 'button', onclick: loadMore }, 'Show ' + Math.min(PAGE, data.total - shown) + ' more')
        : '');
    };
    async function loadMore() {
      let next;
      try {
        next = await api('/v1/search?q=' + enc(term) + '&limit=' + PAGE + '&offset=' + shown);
      } catch (err) {
        fill(more, el('span', { class: 'error', role: 'alert' }, err.message));
        return;
      }
      all.push(...next.items);
      shown = all.length;
      for (const c of next.contacts || []) names.set(c.id, c.name || c.organization || c.id);
      fill(list, records(all, term, names));
      fillMore();
      say(shown + ' of ' + data.total + ' records shown');
    }
    fillMore();
    const n = Number(term);
    const asPort = /^\d{1,5}$/.test(term) && n <= 65535;
    const contacts = data.contacts || [];
    fill(main,
      heading('Results for “' + term + '”'),
      asPort ? el('p', { class: 'lead' }, el('a', { href: link.port(n) }, 'Port ' + n + ': every protocol, range and contact →')) : '',
      el('p', { class: 'dim' }, data.total + (data.total === 1 ? ' record' : ' records') + ' match'),
      list, more,
      contacts.length ? [el('h2', null, 'People on these records'),
        el('ul', { class: 'people' }, contacts.map((c) => el('li', null,
          el('a', { href: link.contact(c.id) }, marked(c.name || c.organization || c.id, term)),
          c.organization && c.name ? el('span', { class: 'dim' }, ' · ', c.organization) : '')))] : '');
    main.dataset.results = term;
    performance.mark('pr-results:' + term); /* the browser test times this */
    say(data.total + ' records match ' + term);
  }

  async function port(text, signal) {
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new Problem(404, 'a port is a number from 0 to 65535');
    const n = Number(text);
    const d = await api('/v1/ports/' + n, { signal });
    const folks = await peopleOf(d.records, signal);
    fill(main,
      heading('Port ' + n),
      el('p', { class: 'lead' }, RANGES[d.range_class] || d.range_class),
      el('nav', { class: 'pager', 'aria-label': 'Neighbouring ports' },
        n > 0 ? el('a', { href: link.port(n - 1), rel: 'prev' }, '← ' + (n - 1)) : '',
        n < 65535 ? el('a', { href: link.port(n + 1), rel: 'next' }, (n + 1) + ' →') : ''),
      el('h2', null, 'Status by protocol'),
      el('table', { class: 'status' },
        el('thead', null, el('tr', null, el('th', { scope: 'col' }, 'Protocol'), el('th', { scope: 'col' }, 'Status'), el('th', { scope: 'col' }, 'Your own service here'))),
        el('tbody', null, PROTOCOLS.map((p) => el('tr', null,
          el('th', { scope: 'row' }, p), el('td', null, statusBadge(d.status[p])),
          el('td', null, el('a', { href: link.check({ port: n, protocol: p }) }, 'Check ' + n + '/' + p)))))),
      el('h2', null, 'Records covering ' + n),
      d.records.length ? records(d.records, '', nameMap(folks)) : el('p', null, 'No record covers this port: it is not assigned for any protocol.'),
      folks.filter(Boolean).length ? [el('h2', null, 'Contacts'),
        folks.filter(Boolean).map((p) => el('section', { class: 'card' },
          el('h3', null, el('a', { href: link.contact(p.id) }, p.name || p.organization || p.id)), person(p)))] : '');
  }

  /* the people a few records cite, each asked once; one that fails is left out */
  async function peopleOf(list, signal) {
    const ids = [...new Set(list.flatMap((r) => [...(r.assignee || []), ...(r.contact || [])]))];
    return Promise.all(ids.map((id) => api('/v1/contacts/' + enc(id), { signal }).catch((err) => {
      if (err.name === 'AbortError') throw err;
      return null;
    })));
  }

  async function service(name, signal) {
    const d = await api('/v1/services/' + enc(name), { signal });
    const folks = await peopleOf(d.records, signal);
    const ports = [...new Set(d.records.filter((r) => r.port !== null || r.range).map(portOf))];
    fill(main,
      heading('Service ' + d.service),
      el('p', { class: 'lead' }, d.records.length + (d.records.length === 1 ? ' record' : ' records'),
        ports.length ? [' on ', ports.map((p, i) => [i ? ', ' : '', el('a', { href: link.port(p.split('-')[0]) }, p)])] : ''),
      records(d.records, '', nameMap(folks)));
  }

  function personView(kind) {
    return async (id, signal) => {
      const p = await api('/v1/' + kind + 's/' + enc(id), { signal });
      fill(main,
        heading((kind === 'assignee' ? 'Assignee ' : 'Contact ') + (p.name || p.organization || p.id)),
        person(p),
        el('h2', null, 'Records naming them as ' + kind),
        records(p.records || [], '', nameMap([p])));
    };
  }

  /* ---- checking port choices ---- */

  function verdict(v, index) {
    const what = v.port + '/' + v.protocol + (v.name ? ' as ' + v.name : '');
    const sugg = v.suggestions || [];
    return el('section', { class: 'card verdict ' + (v.ok ? 'ok' : 'bad') },
      el('h3', null, (index === undefined ? '' : 'Entry ' + index + ': ') + what + ': ' + (v.ok ? 'sound' : 'not sound')),
      el('p', null, el('a', { href: link.port(v.port) }, 'Port ' + v.port), ' is a ', v.range_class, ' port, ', statusBadge(v.status), ' for ', v.protocol, '.'),
      v.reasons.length ? [el('h4', null, 'Reasons'), el('ul', null, v.reasons.map((r) => el('li', null, r.message, ' ', el('code', null, r.code))))] : el('p', null, 'Nothing speaks against it.'),
      v.name_problems.length ? [el('h4', null, 'The name'), el('ul', null, v.name_problems.map((m) => el('li', null, m)))] : '',
      sugg.length ? [el('h4', null, 'Free ports nearby'), el('ul', { class: 'inline' }, sugg.map((p) =>
        el('li', null, el('a', { href: link.check({ port: p, protocol: v.protocol, ...(v.name ? { name: v.name } : {}) }) }, String(p)))))] : '',
      v.conflicts.length ? [el('h4', null, 'Records in the way'), records(v.conflicts)] : '',
      v.registered.length ? [el('h4', null, 'Already registered under the name'), records(v.registered)] : '');
  }

  const EXAMPLE = '[\n  {"port": 5264, "protocol": "tcp", "name": "mysvc"},\n  {"port": 5266, "protocol": "tcp", "name": "mysvc"}\n]';
  let manifestText = EXAMPLE;

  async function check(params, signal) {
    const portIn = el('input', { id: 'c-port', name: 'port', type: 'number', min: 0, max: 65535, required: true, inputmode: 'numeric', value: params.get('port') || '' });
    const protoIn = el('select', { id: 'c-proto', name: 'protocol' }, PROTOCOLS.map((p) => el('option', { value: p, selected: params.get('protocol') === p }, p)));
    const nameIn = el('input', { id: 'c-name', name: 'name', type: 'text', maxlength: 64, autocomplete: 'off', spellcheck: 'false', value: params.get('name') || '' });
    const one = el('div', { id: 'one', 'aria-live': 'polite' });
    const many = el('div', { id: 'many', 'aria-live': 'polite' });
    const text = el('textarea', { id: 'c-manifest', rows: 7, spellcheck: 'false', 'aria-describedby': 'c-manifest-hint' });
    text.value = manifestText;
    text.addEventListener('input', () => { manifestText = text.value; });
    const single = el('form', { class: 'check', onsubmit: (e) => {
      e.preventDefault();
      const o = { port: portIn.value, protocol: protoIn.value };
      if (nameIn.value.trim()) o.name = nameIn.value.trim();
      go(link.check(o));
    } },
    el('h2', null, 'One port'),
    el('div', { class: 'row' },
      el('label', { for: 'c-port' }, 'Port', portIn),
      el('label', { for: 'c-proto' }, 'Protocol', protoIn),
      el('label', { for: 'c-name' }, 'Service name (optional)', nameIn),
      el('button', { type: 'submit' }, 'Check')));
    const manifest = el('form', { class: 'check', onsubmit: async (e) => {
      e.preventDefault();
      let body;
      try {
        body = JSON.stringify(JSON.parse(text.value));
      } catch (err) {
        fill(many, el('p', { class: 'error', role: 'alert' }, 'Not JSON: ' + err.message));
        return;
      }
      try {
        const r = await api('/v1/check', { method: 'POST', body, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
        fill(many,
          el('p', { class: 'lead ' + (r.ok ? 'good' : 'warn') }, r.ok ? 'Every entry is sound.' : 'Not every entry is sound.'),
          r.clashes.length ? [el('h3', null, 'Clashes between entries'), el('ul', null, r.clashes.map((c) => el('li', null, c.message)))] : '',
          r.verdicts.map((v, i) => verdict(v, i)));
        say(r.ok ? 'every entry is sound' : 'not every entry is sound');
      } catch (err) {
        fill(many, el('p', { class: 'error', role: 'alert' }, err.message));
      }
    } },
    el('h2', null, 'A manifest'),
    el('label', { for: 'c-manifest' }, 'Manifest: a JSON array of {"port", "protocol", "name"}'),
    text,
    el('p', { id: 'c-manifest-hint', class: 'hint' }, 'Up to 100 entries; entries are also checked against each other.'),
    el('button', { type: 'submit', id: 'c-run-manifest' }, 'Check the manifest'));
    fill(main, heading('Check a port choice'),
      el('p', null, 'Is a port free for a new service, and is the name a good one (RFC 6335)?'),
      single, one, manifest, many);
    if (!params.get('port')) return;
    try {
      const v = await api('/v1/check?' + new URLSearchParams([...params].filter(([k]) => ['port', 'protocol', 'name'].includes(k))), { signal });
      fill(one, verdict(v));
      say(v.port + '/' + v.protocol + (v.ok ? ' is sound' : ' is not sound'));
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      fill(one, el('p', { class: 'error', role: 'alert' }, err.message));
    }
  }

  /* ---- routing ---- */

  function say(text) {
    live.textContent = text;
  }

  let viewCtl = null;
  let lastPath = null;

  function parse() {
    const h = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
    const qi = h.indexOf('?');
    const path = qi < 0 ? h : h.slice(0, qi);
    return { path, params: new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1)) };
  }

  function decode(s) {
    try { return decodeURIComponent(s); } catch { return s; }
  }

  /* focus: move the keyboard to the new view's heading, as a page load would */
  async function render(focus) {
    const { path, params } = parse();
    if (viewCtl) viewCtl.abort();
    const ctl = (viewCtl = new AbortController());
    const m = /^\/(port|service|contact|assignee)\/(.+)$/.exec(path);
    const views = { port, service, contact: personView('contact'), assignee: personView('assignee') };
    let view;
    if (m) view = () => views[m[1]](decode(m[2]), ctl.signal);
    else if (path === '/' || path === '/search') view = () => search(params.get('q') || '', ctl.signal);
    else if (path === '/check') view = () => check(params, ctl.signal);
    else view = () => { throw new Problem(404, 'no such view'); };
    const kind = m ? m[1] : path;
    main.setAttribute('aria-busy', 'true');
    try {
      await view();
      if (kind !== '/search' && kind !== '/') document.title = main.querySelector('h1').textContent + ' · portreg';
      else document.title = params.get('q') ? params.get('q') + ' · portreg search' : 'portreg: the port registry explorer';
    } catch (err) {
      if (err.name === 'AbortError') return;
      fill(main, heading(err.status === 404 ? 'Not found' : 'Something went wrong'),
        el('p', { class: 'error', role: 'alert' }, err.message),
        el('p', null, el('a', { href: '#/' }, 'Back to the search')));
      document.title = 'Not found · portreg';
    } finally {
      if (viewCtl === ctl) main.removeAttribute('aria-busy');
    }
    if (ctl.signal.aborted) return;
    if (focus && lastPath !== path) main.querySelector('h1').focus();
    lastPath = path;
    main.dataset.view = location.hash || '#/';
    if (!performance.getEntriesByName('pr-first-render').length) performance.mark('pr-first-render');
  }

  function go(hash) {
    if (location.hash === hash) render(true);
    else location.hash = hash; /* hashchange renders */
  }

  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/') || location.hash === '') render(true);
  });

  /* Debounced on both edges: a key after a pause asks at once, keys that
   * follow within DEBOUNCE_MS (a paste, auto-repeat, a fast burst) merge
   * into one request when they stop. A request overtaken by the next one is
   * aborted (render's AbortController), so answers never arrive out of order. */
  let typing = 0;
  let lastAsked = -Infinity;
  function ask() {
    typing = 0;
    lastAsked = performance.now();
    const term = q.value.trim();
    const hash = link.search(term);
    const onSearch = parse().path === '/search' || parse().path === '/';
    /* a query typed on is one view: only the first key makes history */
    if (onSearch) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
    render(false);
  }
  q.addEventListener('input', () => {
    const burst = typing !== 0 || performance.now() - lastAsked < DEBOUNCE_MS;
    clearTimeout(typing);
    if (burst) typing = setTimeout(ask, DEBOUNCE_MS);
    else ask();
  });
  document.getElementById('find').addEventListener('submit', (e) => {
    e.preventDefault();
    const term = q.value.trim();
    if (/^\d{1,5}$/.test(term) && Number(term) <= 65535) go(link.port(Number(term)));
  });
  q.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && q.value) {
      q.value = '';
      q.dispatchEvent(new Event('input'));
    }
  });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) {
      e.preventDefault();
      q.focus();
      q.select();
    }
  });
  document.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });

  /* the data's source and date, on every view */
  registry.then((reg) => {
    const src = typeof reg.source === 'string' ? reg.source : reg.source && (reg.source.name || reg.source.url || reg.source.uri);
    fill(document.getElementById('source'),
      'Data: ', reg.title || 'IANA port registry',
      reg.updated ? [', updated ', el('time', { datetime: reg.updated }, reg.updated)] : '',
      src ? [' · source: ', /^https?:/i.test(src) ? el('a', { href: src, rel: 'noreferrer' }, src) : src] : '',
      ' · ', reg.records + ' records');
  }).catch(() => {});

  render(false);
})();
