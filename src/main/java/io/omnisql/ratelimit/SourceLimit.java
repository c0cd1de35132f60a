package io.omnisql.ratelimit;

/** Protection of one upstream API: a token bucket for page requests and a cap on requests in flight. */
public record SourceLimit(BucketSpec bucket, int maxConcurrency) {
    public SourceLimit {
        if (bucket == null) {
            throw new IllegalArgumentException("bucket is required");
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("max_concurrency must be a positive integer, got " + maxConcurrency);
        }
    }
}
