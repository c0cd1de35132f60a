// OmniSQL gateway rate limit: one fresh principal sends a burst of BURST + EXTRA queries at once.
// Its bucket starts full with BURST tokens and refills REFILL per second, so exactly BURST requests
// pass (plus one per 1/REFILL s the burst took, reported as refilled) and every other request is
// refused with 429, error.code RATE_LIMIT_EXHAUSTED and a Retry-After header (whole seconds >= 1).
//
//   k6 run k6/rate-limit.js
//   bin/bench rate-limit
//
// Knobs (k6 -e NAME=value or environment variables):
//   BASE_URL   gateway URL (default http://127.0.0.1:8080)
//   BURST      the principal's bucket size (default 50: ratelimits.yaml gateway.default.burst)
//   REFILL     its refill per second (default 10: gateway.default.refill_per_second)
//   EXTRA      requests sent beyond the burst (default 25)
//   TEAM, ROLE the principal's team and role; pick ones no override matches (default web / analyst)
//   SUMMARY    JSON summary path (default target/k6-rate-limit-summary.json)
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { BASE_URL, env, envInt, fetchTokens, summarize } from './lib/common.js';

const BURST = envInt('BURST', 50);
const REFILL = parseFloat(env('REFILL', '10'));
const EXTRA = envInt('EXTRA', 25);
const SQL = "SELECT count(*) AS done FROM jira.issues WHERE status = 'Done'";

const passed = new Counter('passed');
const limited = new Counter('limited');
const refilled = new Counter('refill_allowance');
const wrong = new Counter('unexpected_answers');

export const options = {
  scenarios: { main: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '60s' } },
  // All requests of the burst in flight at once over their own connections.
  batch: BURST + EXTRA,
  batchPerHost: BURST + EXTRA,
  setupTimeout: '60s',
  thresholds: {
    unexpected_answers: ['count==0'],
    passed: [`count>=${BURST}`],
    limited: ['count>0'],
    checks: ['rate==1'],
  },
};

export function setup() {
  // A principal of its own (fresh subject) so its bucket is full when the burst starts.
  const token = fetchTokens(1, 'burst', [env('TEAM', 'web')], [env('ROLE', 'analyst')])[0];
  // Warm the source cache with another principal so the burst measures the gateway bucket only.
  const warm = fetchTokens(1, 'warm', [env('TEAM', 'web')], [env('ROLE', 'analyst')])[0];
  const r = http.post(`${BASE_URL}/v1/query`, JSON.stringify({ sql: SQL }), {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${warm}` },
  });
  if (r.status !== 200) {
    throw new Error(`warm-up query answered ${r.status}: ${r.body}`);
  }
  return { token: token };
}

export default function (data) {
  const params = {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${data.token}` },
    tags: { phase: 'load' },
  };
  const requests = [];
  for (let i = 0; i < BURST + EXTRA; i++) {
    requests.push(['POST', `${BASE_URL}/v1/query`, JSON.stringify({ sql: SQL }), params]);
  }
  const start = Date.now();
  const responses = http.batch(requests);
  const elapsedS = (Date.now() - start) / 1000;
  let ok = 0;
  let refused = 0;
  let badRefusals = 0;
  let other = 0;
  for (const r of responses) {
    if (r.status === 200) {
      ok++;
    } else if (r.status === 429) {
      refused++;
      const retry = parseInt(r.headers['Retry-After'], 10);
      let code = '';
      try {
        code = r.json('error.code');
      } catch (e) {
        code = '';
      }
      if (!(retry >= 1) || code !== 'RATE_LIMIT_EXHAUSTED') {
        badRefusals++;
      }
    } else {
      other++;
    }
  }
  // Tokens the bucket gained while the burst was in flight: at most one per 1/REFILL seconds.
  const allowance = Math.floor(elapsedS * REFILL);
  passed.add(ok);
  limited.add(refused);
  refilled.add(allowance);
  wrong.add(badRefusals + other);
  check(null, {
    'exactly the burst passed (plus tokens refilled during the burst)': () => ok >= BURST && ok <= BURST + allowance,
    'every other request refused with 429': () => refused === BURST + EXTRA - ok,
    'each refusal has Retry-After >= 1 s and RATE_LIMIT_EXHAUSTED': () => badRefusals === 0,
  });
}

export function handleSummary(data) {
  const count = (name) => (data.metrics[name] ? data.metrics[name].values.count : 0);
  return summarize('rate-limit', data, { burst: BURST, refill_per_second: REFILL, extra: EXTRA },
    { passed: count('passed'), limited: count('limited'), refill_allowance: count('refill_allowance'),
      unexpected_answers: count('unexpected_answers') });
}
