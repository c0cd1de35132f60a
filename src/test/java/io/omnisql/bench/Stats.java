package io.omnisql.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Latency percentiles of a benchmark's samples (nanoseconds in, milliseconds out). */
record Stats(int count, double p50, double p90, double p99, double max, double mean) {
    static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return new Stats(s.length, pct(s, 50), pct(s, 90), pct(s, 99), s.length == 0 ? 0 : s[s.length - 1] / 1e6, mean);
    }

    /** Nearest-rank percentile. */
    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("p50_ms", round(p50));
        m.put("p90_ms", round(p90));
        m.put("p99_ms", round(p99));
        m.put("max_ms", round(max));
        m.put("mean_ms", round(mean));
        return m;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return String.format("n=%d p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms mean=%.3f ms", count, p50, p90, p99, max, mean);
    }
}
