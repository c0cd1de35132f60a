// OmniSQL live load: the product sheet's join with max_staleness_ms: 0, so every request fetches both
// tables from the upstream APIs (identical requests in flight at the same moment share one fetch).
// Reports the per-source fetch time that the gateway puts in metadata.sources as one Trend per table.
//
//   k6 run k6/live-load.js                                       # 5 req/s for 60 s on :8080
//   bin/bench live-load                                          # builds, starts a gateway, runs this
//
// Knobs (k6 -e NAME=value or environment variables):
//   BASE_URL          gateway URL (default http://127.0.0.1:8080)
//   RATE              requests per second started (default 5)
//   DURATION          how long (default 60s)
//   PRINCIPALS        distinct principals, tokens from GET /dev/token in setup() (default 200)
//   TEAMS, ROLES      comma lists the principals are spread over (mobile,web,platform / analyst,engineer,manager)
//   TABLES            tables whose fetch time is reported (default github.pull_requests,jira.issues)
//   P50_MS, P99_MS    latency thresholds (default 500 and 2000)
//   EXPECTED_CODES    comma list of error.code values not counted as unexpected (default none)
//   PRE_VUS, MAX_VUS  VUs pre-allocated / allowed (default 10 / 100)
//   SUMMARY           JSON summary path (default target/k6-live-load-summary.json)
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import {
  PRODUCT_SHEET_JOIN, env, envInt, list, seconds, fetchTokens, postQuery, errorCode, summarize,
} from './lib/common.js';

const RATE = envInt('RATE', 5);
const DURATION = env('DURATION', '60s');
const PRINCIPALS = envInt('PRINCIPALS', 200);
const EXPECTED = list('EXPECTED_CODES', '');
const TABLES = list('TABLES', 'github.pull_requests,jira.issues');

// k6 metric names allow [A-Za-z0-9_] only: github.pull_requests -> fetch_ms_github_pull_requests.
const metricName = (table) => `fetch_ms_${table.replace(/[^A-Za-z0-9_]/g, '_')}`;
const fetchTrends = {};
for (const t of TABLES) {
  fetchTrends[t] = new Trend(metricName(t), true);
}
const pagesCounter = new Counter('upstream_pages');
const unexpected = new Counter('unexpected_error_codes');

export const options = {
  scenarios: {
    main: {
      executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION,
      preAllocatedVUs: envInt('PRE_VUS', 10), maxVUs: envInt('MAX_VUS', 100),
    },
  },
  setupTimeout: '120s',
  thresholds: {
    'http_req_failed{phase:load}': ['rate<0.01'],
    'http_req_duration{phase:load}': [`p(50)<${envInt('P50_MS', 500)}`, `p(99)<${envInt('P99_MS', 2000)}`],
    unexpected_error_codes: ['count==0'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export function setup() {
  return {
    tokens: fetchTokens(PRINCIPALS, 'live', list('TEAMS', 'mobile,web,platform'), list('ROLES', 'analyst,engineer,manager')),
  };
}

export default function (data) {
  const token = data.tokens[Math.floor(Math.random() * data.tokens.length)];
  const res = postQuery(token, PRODUCT_SHEET_JOIN, { max_staleness_ms: 0 }, { phase: 'load', q: 'join_live' });
  if (res.status !== 200) {
    const code = errorCode(res);
    if (!EXPECTED.includes(code)) {
      unexpected.add(1, { code: code || `HTTP ${res.status}` });
    }
  }
  let sources = [];
  if (res.status === 200) {
    sources = res.json('metadata.sources') || [];
    for (const s of sources) {
      // Only the request that fetched has the fetch time; coalesced ones waited for it.
      if (s.cache === 'miss' && fetchTrends[s.table]) {
        fetchTrends[s.table].add(s.fetch_ms);
        pagesCounter.add(s.pages, { table: s.table });
      }
    }
  }
  check(res, {
    'status 200': (r) => r.status === 200,
    'body has rows': (r) => r.status === 200 && r.json('rows.#') >= 0,
    'every source live (miss or coalesced)': () => sources.length > 0
      && sources.every((s) => s.cache === 'miss' || s.cache === 'coalesced'),
  });
}

export function handleSummary(data) {
  const iterations = data.metrics.iterations ? data.metrics.iterations.values.count : 0;
  const fetch = {};
  for (const t of TABLES) {
    const m = data.metrics[metricName(t)];
    if (m) {
      fetch[t] = { med: m.values.med, 'p(99)': m.values['p(99)'], max: m.values.max };
    }
  }
  const unexpectedCount = data.metrics.unexpected_error_codes ? data.metrics.unexpected_error_codes.values.count : 0;
  return summarize('live-load', data, { rate: RATE, duration: DURATION, principals: PRINCIPALS },
    { achieved_rate: Math.round((iterations / seconds(DURATION)) * 10) / 10, fetch_ms: fetch,
      unexpected_error_codes: unexpectedCount });
}
