// GET /health at saturation: the ceiling the query figures are compared with (the same server's
// cheapest route, measured by the same k6 on the same cores).
//
//   k6 run k6/health-load.js
//   bin/bench runs it before every script and prints its rate beside the script's figures.
//
// Knobs (k6 -e NAME=value or environment variables):
//   BASE_URL   gateway URL (default http://127.0.0.1:8080)
//   VUS        virtual users sending back to back (default 50)
//   DURATION   how long (default 15s)
//   SUMMARY    JSON summary path (default target/k6-health-load-summary.json)
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, env, envInt, seconds, summarize } from './lib/common.js';

const VUS = envInt('VUS', 50);
const DURATION = env('DURATION', '15s');

export const options = {
  scenarios: { main: { executor: 'constant-vus', vus: VUS, duration: DURATION } },
  discardResponseBodies: true,
  thresholds: { 'http_req_failed{phase:load}': ['rate<0.01'] },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export default function () {
  const res = http.get(`${BASE_URL}/health`, { tags: { phase: 'load' } });
  check(res, { 'status 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  const iterations = data.metrics.iterations ? data.metrics.iterations.values.count : 0;
  return summarize('health-load', data, { vus: VUS, duration: DURATION },
    { achieved_rate: Math.round((iterations / seconds(DURATION)) * 10) / 10 });
}
