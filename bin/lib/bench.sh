# Shell functions shared by bin/bench, bin/bench-scale and bin/bench-all (sourced, not run). They expect
# $root (the project root, also the working directory) and JAVA_HOME to be set, and `set -euo pipefail`.

# Builds target/omnisql.jar when it is missing or older than the sources.
bench_build() {
  if [ ! -f target/omnisql.jar ] || [ -n "$(find src/main pom.xml -newer target/omnisql.jar -print -quit)" ]; then
    echo "bench: building target/omnisql.jar" >&2
    ./mvnw -B -q -DskipTests package
  fi
}

# The k6 binary: $K6, else k6 on PATH, else ../shared/tools/k6 on the project's machines; nothing when none.
bench_k6() {
  if [ -n "${K6:-}" ]; then echo "$K6"
  elif command -v k6 >/dev/null 2>&1; then command -v k6
  elif [ -x "$root/../shared/tools/k6" ]; then echo "$root/../shared/tools/k6"
  fi
}

bench_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "bench: no free port found" >&2; return 1
}

# Stops one process this script started, by its PID.
bench_stop() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null && { wait "$1" 2>/dev/null || true; }
}

# A copy of the three YAML files in directory $1 for configuration $2: "shipped" (as in the repository) or
# "raised" (every gateway and source bucket raised to 1,000,000/s, out of the way); with $3 and $4, the github
# and jira sources' base_url point at simulators in their own process (bin/sim).
bench_config() {
  local dir=$1 config=$2 github=${3:-} jira=${4:-}
  mkdir -p "$dir"
  cp catalog.yaml policies.yaml ratelimits.yaml "$dir/"
  if [ -n "$github" ]; then
    sed -i -E "s#base_url: embedded:github#base_url: $github#; s#base_url: embedded:jira#base_url: $jira#" "$dir/catalog.yaml"
  fi
  if [ "$config" = raised ]; then
    sed -i -E 's/burst: [0-9]+, refill_per_second: [0-9.]+/burst: 1000000, refill_per_second: 1000000/g' "$dir/ratelimits.yaml"
  fi
}

# Starts a gateway on a free loopback port over config directory $1, logging to $2, JVM options $3; sets
# gw_pid and base, and waits until /health answers.
bench_start_gateway() {
  local cfg=$1 log=$2 opts=$3 port
  port=$(bench_free_port)
  base="http://127.0.0.1:$port"
  # shellcheck disable=SC2086
  PG_PORT=off PORT=$port HOST=127.0.0.1 OMNISQL_CONFIG_DIR="$cfg" "$JAVA_HOME/bin/java" $("$root/bin/jvm-flags") \
    $opts -jar target/omnisql.jar >"$log" 2>&1 &
  gw_pid=$!
  for _ in $(seq 1 240); do
    if curl -fsS "$base/health" >/dev/null 2>&1; then return 0; fi
    kill -0 "$gw_pid" 2>/dev/null || { echo "bench: gateway exited; see $log" >&2; tail -20 "$log" >&2; return 1; }
    sleep 0.5
  done
  echo "bench: gateway not healthy after 120 s; see $log" >&2; return 1
}

bench_heap_mb() {  # heap in use after a full GC, in MB
  "$JAVA_HOME/bin/jcmd" "$1" GC.run >/dev/null
  "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | awk '{printf "%.1f", $2/1024}'
}
bench_rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
bench_full_gcs() { "$JAVA_HOME/bin/jstat" -gc "$1" | awk 'NR==1{for(i=1;i<=NF;i++) if($i=="FGC") c=i} NR==2{print $c}'; }
bench_loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
bench_median() { sort -n | awk '{a[NR]=$1} END{ if (NR==0) print "?"; else if (NR%2) print a[(NR+1)/2]; else printf "%.1f", (a[NR/2]+a[NR/2+1])/2 }'; }

# A figure from a k6 summary written by k6/lib/common.js: the first "KEY": number in file $1 (the figures come
# first); KEY may be med, p(99), max, achieved_rate, http_req_failed_rate, ...
bench_figure() {
  local key
  key=$(printf '%s' "$2" | sed 's/[()]/\\&/g')
  grep -oE "\"$key\": [0-9.e+-]+" "$1" | head -1 | awk '{print $2}'
}

# The gateway's CPU per answered request in a run's steady middle (setup's token signing and the ramp
# excluded): /proc/PID/stat sampled every 0.25 s while k6 runs; CPU rate over the samples between 30 % and
# 90 % of the run, divided by the run's request rate.
bench_cpu_start() {  # $1: pid, $2: samples file; sets cpu_sampler
  : >"$2"
  ( tck=$(getconf CLK_TCK)
    while kill -0 "$1" 2>/dev/null; do
      awk -v t="$(date +%s.%N)" -v h="$tck" '{ printf "%s %.4f\n", t, ($14 + $15) / h }' "/proc/$1/stat" >>"$2" 2>/dev/null || true
      sleep 0.25
    done ) &
  cpu_sampler=$!
}
bench_cpu_stop() { [ -n "${cpu_sampler:-}" ] && { kill "$cpu_sampler" 2>/dev/null; wait "$cpu_sampler" 2>/dev/null || true; }; cpu_sampler=""; }
bench_cpu_us_per_request() {  # $1: samples file, $2: requests per second in the run; prints microseconds
  awk -v rate="$2" '{ t[NR] = $1; c[NR] = $2 } END {
      if (NR < 8 || rate <= 0) { print "?"; exit }
      a = int(NR * 0.3); b = int(NR * 0.9)
      printf "%.0f", 1e6 * (c[b] - c[a]) / (t[b] - t[a]) / rate }' "$1"
}

# One line about the machine and its load, for figures' captions.
bench_machine() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
}
