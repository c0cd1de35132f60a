// OmniSQL query load: POST /v1/query at a constant arrival rate from ~200 principals, answered from
// the freshness cache (setup() warms it), with the product sheet's join, filtered single-table
// queries and an aggregate.
//
//   k6 run k6/query-load.js                                      # 1000 req/s for 60 s on :8080
//   k6 run -e BASE_URL=http://127.0.0.1:9090 -e RATE=500 -e DURATION=30s k6/query-load.js
//   bin/bench query-load                                         # builds, starts a gateway, runs this
//
// Knobs (k6 -e NAME=value or environment variables):
//   BASE_URL          gateway URL (default http://127.0.0.1:8080)
//   RATE              requests per second started (default 1000)
//   DURATION          how long (default 60s)
//   VUS               if set: closed model instead, VUS virtual users sending back to back for
//                     DURATION (a saturation run: the achieved rate is the throughput)
//   PRINCIPALS        distinct principals, tokens from GET /dev/token in setup() (default 200)
//   TEAMS, ROLES      comma lists the principals are spread over (mobile,web,platform / analyst,engineer,manager)
//   MIX               mixed (default: 50% join, 35% filtered single-table, 15% aggregate) or join (join only)
//   MAX_STALENESS_MS  max_staleness_ms sent with each query (default 3600000: served from cache after warm-up)
//   P50_MS, P99_MS    latency thresholds of the load requests (default 10 and 50)
//   EXPECTED_CODES    comma list of error.code values that are not counted as unexpected (default none)
//   CHECK_EVERY       read and check the body (rows, trace id, error.code) of 1 request in CHECK_EVERY; the others
//                     check the status only and k6 discards their bodies, as health-load.js does, so a saturation
//                     run measures the gateway rather than k6 parsing JSON (default 1, i.e. every request; 100
//                     with VUS; always 1 with EXPECTED_CODES, whose codes are in the body)
//   PRE_VUS, MAX_VUS  VUs pre-allocated / allowed for the arrival-rate executor (default 50 / 400)
//   SUMMARY           JSON summary path (default target/k6-query-load-summary.json)
//   HEAVY             if 1: setup() submits one heavy statement (a 3-way non-equi join DuckDB grinds on until
//                     its 120 s deadline) as an async query of principal "heavy" and checks it still runs at
//                     teardown(), which cancels it: the cached path measured with a heavy query beside it
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import {
  PRODUCT_SHEET_JOIN, env, envInt, list, seconds, fetchTokens, postQuery, postBody, queryBody, errorCode, weighted,
  summarize,
} from './lib/common.js';

const RATE = envInt('RATE', 1000);
const DURATION = env('DURATION', '60s');
const VUS = envInt('VUS', 0);
const PRINCIPALS = envInt('PRINCIPALS', 200);
const MIX = env('MIX', 'mixed');
const MAX_STALENESS_MS = envInt('MAX_STALENESS_MS', 3600000);
const EXPECTED = list('EXPECTED_CODES', '');
const CHECK_EVERY = EXPECTED.length > 0 ? 1 : Math.max(1, envInt('CHECK_EVERY', VUS > 0 ? 100 : 1));
const HEAVY = env('HEAVY', '0') === '1';
const HEAVY_SQL = 'SELECT count(*) FROM github.pull_requests a, github.pull_requests b, jira.issues c '
  + 'WHERE a.number + b.number + length(c.key) = -1';

const QUERIES = [
  { name: 'join', weight: 50, sql: PRODUCT_SHEET_JOIN },
  { name: 'filter_prs', weight: 15,
    sql: "SELECT number, title, author, created_at FROM github.pull_requests WHERE repo = 'acme/web-app' AND state = 'open' ORDER BY created_at DESC LIMIT 50" },
  { name: 'filter_issues', weight: 10,
    sql: "SELECT key, summary, assignee FROM jira.issues WHERE status = 'Done' AND project = 'MOB' LIMIT 100" },
  { name: 'filter_issues_team', weight: 10,
    sql: "SELECT key, status, branch_name FROM jira.issues WHERE team_id = 'web' AND status IN ('To Do', 'In Review')" },
  { name: 'aggregate', weight: 15,
    sql: 'SELECT repo, state, count(*) AS prs, count(merged_at) AS merged FROM github.pull_requests GROUP BY repo, state ORDER BY repo, state' },
].filter((q) => MIX !== 'join' || q.name === 'join')
  .map((q) => Object.assign(q, { body: queryBody(q.sql, { max_staleness_ms: MAX_STALENESS_MS }) }));

const unexpected = new Counter('unexpected_error_codes');

const scenario = VUS > 0
  ? { executor: 'constant-vus', vus: VUS, duration: DURATION }
  : {
    executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION,
    preAllocatedVUs: envInt('PRE_VUS', 50), maxVUs: envInt('MAX_VUS', 400),
  };

export const options = {
  scenarios: { main: scenario },
  setupTimeout: '120s',
  discardResponseBodies: false,
  thresholds: {
    'http_req_failed{phase:load}': ['rate<0.01'],
    'http_req_duration{phase:load}': [`p(50)<${envInt('P50_MS', 10)}`, `p(99)<${envInt('P99_MS', 50)}`],
    unexpected_error_codes: ['count==0'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export function setup() {
  const tokens = fetchTokens(PRINCIPALS, 'load', list('TEAMS', 'mobile,web,platform'),
    list('ROLES', 'analyst,engineer,manager'));
  // Warm the freshness cache once per query so the run measures the cached path.
  for (const q of QUERIES) {
    const r = postQuery(tokens[0], q.sql, { max_staleness_ms: MAX_STALENESS_MS }, { phase: 'warmup', q: q.name });
    if (r.status !== 200) {
      throw new Error(`warm-up of ${q.name} answered ${r.status}: ${r.body}`);
    }
  }
  let heavy = null;
  if (HEAVY) {
    const token = fetchTokens(1, 'heavy', ['web'], ['analyst'])[0];
    const r = postQuery(token, HEAVY_SQL, { max_staleness_ms: MAX_STALENESS_MS, timeout_ms: 120000, async: true },
      { phase: 'heavy' });
    if (r.status !== 202) {
      throw new Error(`heavy submit answered ${r.status}: ${r.body}`);
    }
    heavy = { token: token, uri: r.json('next_uri') };
  }
  return { tokens: tokens, heavy: heavy };
}

export function teardown(data) {
  if (data.heavy) {
    const base = env('BASE_URL', 'http://127.0.0.1:8080');
    const params = { headers: { Authorization: `Bearer ${data.heavy.token}` }, tags: { phase: 'heavy' } };
    const state = http.get(base + data.heavy.uri, params).json('state');
    console.log(`heavy query state at teardown: ${state} (must still be running for the figures to count)`);
    http.del(base + data.heavy.uri, null, params);
  }
}

export default function (data) {
  const token = data.tokens[Math.floor(Math.random() * data.tokens.length)];
  const q = weighted(QUERIES);
  const full = CHECK_EVERY === 1 || __ITER % CHECK_EVERY === 0;
  const res = postBody(token, q.body, { phase: 'load', q: q.name }, full ? 'text' : 'none');
  if (res.status !== 200) {
    const code = full ? errorCode(res) : '';
    if (!EXPECTED.includes(code)) {
      unexpected.add(1, { code: code || `HTTP ${res.status}` });
    }
  }
  if (full) {
    check(res, {
      'status 200': (r) => r.status === 200,
      'body has rows and trace id': (r) => r.status === 200
        && r.json('rows.#') >= 0 && /^[0-9a-f]{32}$/.test(r.json('metadata.trace_id')),
    });
  } else {
    check(res, { 'status 200': (r) => r.status === 200 });
  }
}

export function handleSummary(data) {
  const iterations = data.metrics.iterations ? data.metrics.iterations.values.count : 0;
  const durationS = seconds(DURATION);
  const unexpectedCount = data.metrics.unexpected_error_codes ? data.metrics.unexpected_error_codes.values.count : 0;
  return summarize('query-load', data,
    { rate: VUS > 0 ? null : RATE, vus: VUS || null, duration: DURATION, principals: PRINCIPALS, mix: MIX,
      max_staleness_ms: MAX_STALENESS_MS, check_every: CHECK_EVERY },
    { achieved_rate: Math.round((iterations / durationS) * 10) / 10, unexpected_error_codes: unexpectedCount });
}
