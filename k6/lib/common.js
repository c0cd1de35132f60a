// Shared helpers of the OmniSQL k6 scripts: demo tokens, query requests, and the JSON/text summary.
// Works with k6 v0.48+ and needs no remote module (no jslib), so it runs offline.
import http from 'k6/http';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** The product sheet's join, exactly as written there ("In Progress" in double quotes). */
export const PRODUCT_SHEET_JOIN = 'SELECT gh.pr_id, jira.status FROM github.pull_requests gh '
  + 'JOIN jira.issues jira ON gh.branch = jira.branch_name WHERE jira.status = "In Progress"';

export function env(name, fallback) {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : v;
}

export function envInt(name, fallback) {
  const v = parseInt(env(name, ''), 10);
  return isNaN(v) ? fallback : v;
}

/** Seconds in a k6 duration string such as 60s, 1m30s, 500ms. */
export function seconds(duration) {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m;
  while ((m = re.exec(duration)) !== null) {
    total += parseFloat(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
  }
  return total;
}

export function list(name, fallback) {
  return env(name, fallback).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Fetches `count` demo tokens from GET /dev/token (setup() only), spreading the principals over
 * the given teams and roles round-robin, so each principal's gateway bucket sees a fraction of the load.
 */
export function fetchTokens(count, prefix, teams, roles) {
  const tokens = [];
  const stamp = Date.now().toString(36);
  for (let start = 0; start < count; start += 20) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 20); i++) {
      const team = teams[i % teams.length];
      const role = roles[Math.floor(i / teams.length) % roles.length];
      const sub = `${prefix}-${stamp}-${i}`;
      batch.push(['GET', `${BASE_URL}/dev/token?sub=${encodeURIComponent(sub)}&team=${encodeURIComponent(team)}`
        + `&roles=${encodeURIComponent(role)}`, null, { tags: { name: 'setup_token' } }]);
    }
    for (const r of http.batch(batch)) {
      if (r.status !== 200) {
        throw new Error(`GET /dev/token answered ${r.status}: ${r.body} (is the demo issuer enabled?)`);
      }
      tokens.push(r.json('access_token'));
    }
  }
  return tokens;
}

export function postQuery(token, sql, extra, tags) {
  return postBody(token, queryBody(sql, extra), tags);
}

/** The JSON body of a query request: build it once per statement, outside the load loop. */
export function queryBody(sql, extra) {
  return JSON.stringify(Object.assign({ sql: sql }, extra || {}));
}

/** POST /v1/query with a ready body; responseType 'text' (default) to read the answer, 'none' to discard it. */
export function postBody(token, body, tags, responseType) {
  return http.post(`${BASE_URL}/v1/query`, body, {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    tags: tags,
    responseType: responseType || 'text',
  });
}

/** error.code of an error answer, or '' when the body is not the gateway's error JSON. */
export function errorCode(res) {
  try {
    return res.json('error.code') || '';
  } catch (e) {
    return '';
  }
}

/** Picks an entry of [{weight, ...}] at random by weight. */
export function weighted(entries) {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  let x = Math.random() * total;
  for (const e of entries) {
    x -= e.weight;
    if (x < 0) {
      return e;
    }
  }
  return entries[entries.length - 1];
}

function metricValues(data, name) {
  const m = data.metrics[name];
  return m ? m.values : {};
}

function round(v, digits) {
  if (typeof v !== 'number' || !isFinite(v)) {
    return v;
  }
  const f = Math.pow(10, digits);
  return Math.round(v * f) / f;
}

/**
 * handleSummary body shared by the scripts: writes {script, settings, figures, thresholds, metrics}
 * to $SUMMARY (default target/k6-<script>-summary.json) and prints the key figures.
 * `figures` adds script-specific numbers (computed from data) to the common ones.
 */
export function summarize(script, data, settings, extraFigures) {
  const durationS = (data.state.testRunDurationMs || 0) / 1000;
  const reqs = metricValues(data, 'http_reqs');
  // Load requests carry the tag phase:load; setup's token and warm-up requests do not count.
  const dur = metricValues(data, 'http_req_duration{phase:load}');
  const d = Object.keys(dur).length ? dur : metricValues(data, 'http_req_duration');
  const failedRate = metricValues(data, 'http_req_failed{phase:load}');
  const iterations = metricValues(data, 'iterations').count || 0;
  const figures = Object.assign({
    duration_s: round(durationS, 2),
    requests: reqs.count || 0,
    iterations: iterations,
    dropped_iterations: metricValues(data, 'dropped_iterations').count || 0,
    http_req_failed_rate: round((Object.keys(failedRate).length ? failedRate : metricValues(data, 'http_req_failed')).rate, 5),
    checks_pass_rate: round(metricValues(data, 'checks').rate, 5),
    latency_ms: {
      avg: round(d.avg, 3), med: round(d.med, 3), 'p(90)': round(d['p(90)'], 3),
      'p(95)': round(d['p(95)'], 3), 'p(99)': round(d['p(99)'], 3), max: round(d.max, 3),
    },
  }, extraFigures || {});
  const thresholds = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    if (m.thresholds) {
      for (const [expr, t] of Object.entries(m.thresholds)) {
        thresholds[`${name}: ${expr}`] = t.ok;
      }
    }
  }
  const failed = Object.entries(thresholds).filter(([, ok]) => !ok).map(([k]) => k);
  const out = {
    script: script,
    date: new Date().toISOString(),
    base_url: BASE_URL,
    settings: settings,
    figures: figures,
    thresholds: thresholds,
    thresholds_ok: failed.length === 0,
    metrics: data.metrics,
  };
  const path = env('SUMMARY', `target/k6-${script}-summary.json`);
  let text = `\n${script}: ${JSON.stringify(settings)}\n`;
  for (const [k, v] of Object.entries(figures)) {
    text += `  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}\n`;
  }
  text += failed.length === 0 ? '  thresholds: all passed\n' : `  thresholds FAILED: ${failed.join('; ')}\n`;
  text += `  summary written to ${path}\n`;
  const files = { stdout: text };
  files[path] = JSON.stringify(out, null, 2);
  return files;
}
