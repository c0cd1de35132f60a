// The console's controller: sign-in, running queries (async API), results, "why this answer", policies.
import { $, el, clear, text } from './dom.js';
import { call, signOut, signedIn, principal, ApiError } from './api.js';
import { demoSignIn, startOidc, finishOidc } from './auth.js';
import { Editor } from './editor.js';
import { Grid, toCsv } from './grid.js';
import { drawChart } from './chart.js';

const HISTORY_KEY = 'omnisql.history'; // SQL text only, never tokens
const POLL_MS = 150;

let config = { demo_issuer: false, oidc: { enabled: false }, trace_ui_url: null };
let catalog = [];
let current = null; // {id, cancelled} of the running query
let answer = null;  // the last successful answer
const grid = new Grid($('grid'));
const editor = new Editor($('sql'), $('sql-highlight'), $('completions'), () => run());

// ---- sign-in ---------------------------------------------------------------------------------------------------

async function boot() {
  try {
    config = (await call('/console/config.json')).body;
  } catch (e) {
    showSigninError(e);
  }
  $('signin-form').hidden = !config.demo_issuer;
  $('signin-oidc-box').hidden = !(config.oidc && config.oidc.enabled && config.oidc.authorization_endpoint);
  $('signin-status').textContent = config.demo_issuer || (config.oidc && config.oidc.enabled)
    ? '' : 'No sign-in method is configured: set identity.issuer and identity.console_client_id in policies.yaml.';
  if (config.oidc && config.oidc.enabled && config.oidc.token_endpoint) {
    try {
      if (await finishOidc(config.oidc)) await enter();
    } catch (e) {
      showSigninError(e);
    }
  }
}

function showSigninError(e) {
  const box = $('signin-error');
  box.hidden = false;
  box.textContent = e instanceof ApiError ? `${e.error.code}: ${e.error.message}` : String(e);
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('signin-error').hidden = true;
  try {
    await demoSignIn({ sub: $('sub').value.trim(), team: $('team').value, roles: $('roles').value.trim(), scopes: $('scopes').value.trim() });
    await enter();
  } catch (e) {
    showSigninError(e);
  }
});

$('signin-oidc').addEventListener('click', () => startOidc(config.oidc).catch(showSigninError));

$('signout').addEventListener('click', () => {
  signOut();
  catalog = [];
  answer = null;
  grid.clear();
  resetWhy();
  $('query-view').hidden = true;
  $('policies-view').hidden = true;
  $('tabs').hidden = true;
  $('signout').hidden = true;
  $('whoami').textContent = '';
  $('signin').hidden = false;
});

async function enter() {
  const p = principal() || {};
  const roles = [].concat(p.roles || []).join(',');
  const scopes = typeof p.scope === 'string' ? p.scope : [].concat(p.scp || []).join(' ');
  $('whoami').textContent = `${p.sub || '?'}${p.team ? ' · team ' + p.team : ''}${roles ? ' · roles ' + roles : ''}${scopes ? ' · scopes ' + scopes : ''}`;
  $('signin').hidden = true;
  $('tabs').hidden = false;
  $('signout').hidden = false;
  show('query');
  await loadCatalog();
}

async function loadCatalog() {
  try {
    const body = (await call('/v1/catalog')).body;
    catalog = body.tables;
    editor.setCatalog(catalog);
    editor.highlight();
    renderPolicies(body);
  } catch (e) {
    showError(e);
  }
}

// ---- tabs ------------------------------------------------------------------------------------------------------

function show(view) {
  $('query-view').hidden = view !== 'query';
  $('policies-view').hidden = view !== 'policies';
  $('tab-query').classList.toggle('active', view === 'query');
  $('tab-policies').classList.toggle('active', view === 'policies');
}
$('tab-query').addEventListener('click', () => show('query'));
$('tab-policies').addEventListener('click', () => show('policies'));

// ---- running a query -------------------------------------------------------------------------------------------

$('run').addEventListener('click', () => run());
$('cancel').addEventListener('click', () => cancel());

function numberOf(id) {
  const v = $(id).value.trim();
  return v === '' ? undefined : Number(v);
}

async function run() {
  if (current || !signedIn()) return;
  const sql = editor.value.trim();
  if (!sql) return;
  remember(sql);
  const request = { sql, async: true };
  const staleness = numberOf('staleness');
  const timeout = numberOf('timeout');
  if (staleness !== undefined) request.max_staleness_ms = staleness;
  if (timeout !== undefined) request.timeout_ms = timeout;
  hideError();
  resetWhy();
  grid.clear();
  answer = null;
  setDownloads(false);
  $('row-count').textContent = '';
  current = { id: null, cancelled: false };
  setRunning(true, 'submitting');
  explain(sql); // the plan panel, in parallel; fetches nothing upstream
  try {
    const submitted = (await call('/v1/query', { method: 'POST', body: request })).body;
    current.id = submitted.id;
    let next = submitted.next_uri;
    let view = submitted;
    while (next) {
      setRunning(true, view.state);
      renderProgress(view);
      await new Promise((r) => setTimeout(r, POLL_MS));
      view = (await call(next)).body;
      next = view.next_uri;
    }
    renderProgress(view);
    if (view.state === 'finished') {
      showAnswer(view.answer, submitted.trace_id);
    } else {
      showError(new ApiError(view.error && view.error.code === 'QUERY_CANCELLED' ? 499 : 500, view.error));
    }
    $('query-state').textContent = view.state + ' in ' + view.elapsed_ms + ' ms';
  } catch (e) {
    showError(e);
    $('query-state').textContent = 'failed';
  } finally {
    current = null;
    setRunning(false);
  }
}

async function cancel() {
  if (!current || !current.id) return;
  current.cancelled = true;
  $('query-state').textContent = 'cancelling…';
  try {
    await call('/v1/queries/' + encodeURIComponent(current.id), { method: 'DELETE' });
  } catch (e) {
    showError(e);
  }
}

function setRunning(running, state) {
  $('run').disabled = running;
  $('cancel').disabled = !running;
  if (running) $('query-state').textContent = state || '';
}

function renderProgress(view) {
  const box = clear($('progress'));
  box.append(el('span', { class: 'state state-' + view.state, id: 'progress-state' }, view.state));
  if (view.queue_ms) box.append(el('span', { class: 'muted' }, `queued ${view.queue_ms} ms`));
  for (const s of view.sources || []) {
    box.append(el('span', { class: 'progress-source' }, `${s.table}: ${s.pages} requests, ${s.rows} rows received, ${Math.round(s.upstream_ms)} ms in upstream calls`));
  }
}

// ---- answer ----------------------------------------------------------------------------------------------------

function maskedColumns(a) {
  const masked = new Set();
  for (const p of a.metadata.policies || []) {
    const m = /^mask \S+ on [^ ]+\.([^.\s]+) \(rule /.exec(p);
    if (m) masked.add(m[1]);
  }
  // The catalog's view of the caller, for masked columns the statement read under the same name.
  for (const s of a.metadata.sources || []) {
    const t = catalog.find((c) => c.name === s.table);
    if (!t) continue;
    for (const c of t.columns) if (c.masked && (s.columns || []).includes(c.name)) masked.add(c.name);
  }
  return new Set(a.columns.map((c) => c.name).filter((n) => masked.has(n)));
}

function showAnswer(a, traceId) {
  answer = a;
  const m = a.metadata;
  grid.show(a.columns, a.rows, maskedColumns(a));
  $('row-count').textContent = `${m.row_count.toLocaleString('en')} row${m.row_count === 1 ? '' : 's'}${m.truncated ? ' (truncated)' : ''}`;
  setDownloads(true);
  fillChartPickers(a.columns);
  renderFreshness(m);
  renderTiming(m);
  renderList($('policies-applied'), m.policies, 'none');
  renderList($('warnings'), m.warnings, 'none');
  renderTrace(traceId || m.trace_id);
}

function renderFreshness(m) {
  const box = clear($('freshness'));
  box.append(el('div', { class: 'muted' }, `oldest data: ${fmtAge(m.freshness_ms)}`));
  for (const s of m.sources) {
    box.append(el('div', { class: 'fresh-row' }, el('span', { class: 'badge cache-' + s.cache, 'data-table': s.table }, s.cache),
      ` ${s.table} (${s.alias}) · age ${fmtAge(s.age_ms)}`));
  }
}

function renderTiming(m) {
  const box = clear($('timing'));
  const total = Math.max(1, m.elapsed_ms);
  box.append(el('div', { class: 'muted' }, `total ${m.elapsed_ms} ms`));
  for (const s of m.sources) {
    const bar = el('div', { class: 'bar-fill' });
    bar.style.width = Math.min(100, (s.fetch_ms / total) * 100).toFixed(1) + '%';
    box.append(el('div', { class: 'timing-row', 'data-table': s.table },
      el('div', { class: 'timing-label' }, `${s.table}: ${s.fetch_ms} ms · ${s.pages} pages · ${s.rows.toLocaleString('en')} rows`),
      el('div', { class: 'bar' }, bar)));
  }
  const all = el('div', { class: 'bar-fill total' });
  all.style.width = '100%';
  box.append(el('div', { class: 'timing-row' }, el('div', { class: 'timing-label' }, `whole query: ${m.elapsed_ms} ms`), el('div', { class: 'bar' }, all)));
}

function renderTrace(traceId) {
  const box = clear($('trace'));
  if (!traceId) return;
  if (config.trace_ui_url) {
    box.append(el('a', { href: config.trace_ui_url.replace('{trace_id}', encodeURIComponent(traceId)), target: '_blank', rel: 'noopener noreferrer', id: 'trace-id' }, traceId));
  } else {
    box.append(el('code', { id: 'trace-id' }, traceId));
  }
}

async function explain(sql) {
  const box = clear($('plan'));
  box.append(el('span', { class: 'muted' }, 'planning…'));
  try {
    const plan = (await call('/v1/explain', { method: 'POST', body: { sql } })).body;
    clear(box);
    for (const t of plan.tables) {
      const reqs = plan.upstream_requests.find((u) => u.alias === t.alias && u.table === t.table);
      box.append(el('div', { class: 'plan-table' },
        el('div', { class: 'plan-head' }, `${t.table} `, el('span', { class: 'muted' }, `as ${t.alias}`),
          reqs ? el('span', { class: 'muted' }, ` · ${reqs.requests} request(s) to ${reqs.source} (${reqs.basis})`) : null),
        listBlock('pushed to the source', t.pushed_filters, 'pushed'),
        listBlock('evaluated in DuckDB', t.residual_filters, 'residual'),
        listBlock('columns fetched', [t.columns.join(', ')], 'cols'),
        listBlock('first request', t.requests, 'reqs')));
    }
    if (plan.tables.length === 0) box.append(el('span', { class: 'muted' }, 'no catalog tables'));
  } catch (e) {
    clear(box).append(el('span', { class: 'muted' }, `no plan: ${e.error ? e.error.code : e.message}`));
  }
}

function listBlock(title, items, cls) {
  return el('div', { class: 'plan-block plan-' + cls }, el('div', { class: 'plan-title' }, title),
    items && items.length ? el('ul', {}, ...items.map((i) => el('li', {}, el('code', {}, text(i))))) : el('div', { class: 'muted' }, 'none'));
}

function renderList(box, items, empty) {
  clear(box);
  if (!items || items.length === 0) box.append(el('li', { class: 'muted' }, empty));
  else box.append(...items.map((i) => el('li', {}, text(i))));
}

function resetWhy() {
  for (const id of ['freshness', 'timing', 'plan', 'trace', 'progress']) clear($(id));
  renderList($('policies-applied'), [], '');
  renderList($('warnings'), [], '');
  $('chart-box').hidden = true;
  $('chart-toggle').textContent = 'Show chart';
}

function showError(e) {
  const err = e instanceof ApiError ? e.error : { code: 'CONSOLE', message: String(e && e.message || e) };
  const box = clear($('error'));
  box.hidden = false;
  box.append(el('div', { class: 'error-code', id: 'error-code' }, `${err.code}${e.status ? ' (' + e.status + ')' : ''}`),
    el('div', { class: 'error-message', id: 'error-message' }, err.message || ''));
  const details = Object.entries(err).filter(([k]) => !['code', 'message'].includes(k));
  if (details.length) {
    box.append(el('dl', { class: 'error-details' }, ...details.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, text(v))])));
  }
}

function hideError() {
  clear($('error')).hidden = true;
}

function fmtAge(ms) {
  if (ms === undefined || ms === null) return '?';
  if (ms < 1000) return ms + ' ms';
  return (ms / 1000).toFixed(1) + ' s';
}

// ---- downloads and chart ---------------------------------------------------------------------------------------

function setDownloads(on) {
  $('download-csv').disabled = !on;
  $('download-json').disabled = !on;
  $('chart-toggle').disabled = !on;
}

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

$('download-csv').addEventListener('click', () => answer && download('omnisql-result.csv', 'text/csv', toCsv(answer.columns, answer.rows)));
$('download-json').addEventListener('click', () => answer && download('omnisql-result.json', 'application/json',
  JSON.stringify({ columns: answer.columns, rows: answer.rows, metadata: answer.metadata }, null, 2)));

function fillChartPickers(columns) {
  const opts = (sel, pick) => {
    clear(sel).append(...columns.map((c, i) => el('option', { value: i, selected: i === pick }, `${c.name} (${c.type})`)));
  };
  const numeric = columns.findIndex((c) => /INT|DOUBLE|DECIMAL|FLOAT|REAL|NUMERIC/i.test(c.type));
  opts($('chart-x'), numeric === 0 && columns.length > 1 ? 1 : 0);
  opts($('chart-y'), numeric < 0 ? 0 : numeric);
}

function redrawChart() {
  if (!answer || $('chart-box').hidden) return;
  drawChart($('chart-box'), $('chart-kind').value, answer.columns, answer.rows, Number($('chart-x').value), Number($('chart-y').value));
}

$('chart-toggle').addEventListener('click', () => {
  const box = $('chart-box');
  box.hidden = !box.hidden;
  $('chart-toggle').textContent = box.hidden ? 'Show chart' : 'Hide chart';
  redrawChart();
});
for (const id of ['chart-kind', 'chart-x', 'chart-y']) $(id).addEventListener('change', redrawChart);

// ---- history ---------------------------------------------------------------------------------------------------

function history() {
  try {
    const h = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
    return Array.isArray(h) ? h.filter((s) => typeof s === 'string') : [];
  } catch (e) {
    return [];
  }
}

function remember(sql) {
  const h = [sql, ...history().filter((s) => s !== sql)].slice(0, 50);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(h));
  renderHistory();
}

function renderHistory() {
  clear($('history')).append(el('option', { value: '' }, `— ${history().length} recent —`),
    ...history().map((s, i) => el('option', { value: i }, s.replace(/\s+/g, ' ').slice(0, 80))));
}

$('history').addEventListener('change', () => {
  const i = $('history').value;
  if (i !== '') editor.value = history()[Number(i)];
  $('history').value = '';
});

// ---- policies view ---------------------------------------------------------------------------------------------

function renderPolicies(body) {
  $('policies-who').textContent = (principal() || {}).sub || 'you';
  const box = clear($('policies-tables'));
  for (const t of body.tables) {
    box.append(el('div', { class: 'policy-table', 'data-table': t.name },
      el('h3', {}, t.name, t.row_filtered ? el('span', { class: 'badge rowfilter' }, 'row filtered') : null),
      el('p', { class: 'muted' }, t.description || ''),
      el('table', { class: 'policy-columns' },
        el('thead', {}, el('tr', {}, el('th', {}, 'column'), el('th', {}, 'type'), el('th', {}, 'what you see'), el('th', {}, 'pushed to source'))),
        el('tbody', {}, ...t.columns.map((c) => el('tr', { class: c.masked ? 'masked-col' : '' },
          el('td', {}, c.name), el('td', {}, c.type), el('td', {}, c.masked ? el('span', { class: 'mask-badge' }, 'masked') : 'value'),
          el('td', {}, c.pushdown.join(' ') || '—'))),
        ...(t.denied_columns || []).map((c) => el('tr', { class: 'denied-col' }, el('td', {}, c), el('td', {}, ''),
          el('td', {}, el('span', { class: 'deny-badge' }, 'denied')), el('td', {}, '—'))))),
      el('ul', { class: 'policy-rules' }, ...(t.policies || []).map((p) => el('li', {}, p)))));
  }
  for (const d of body.denied_tables || []) {
    box.append(el('div', { class: 'policy-table denied', 'data-table': d.name },
      el('h3', {}, d.name, el('span', { class: 'deny-badge' }, 'denied')),
      el('p', {}, `rule ${d.rule}: ${d.message}`)));
  }
}

renderHistory();
boot();
