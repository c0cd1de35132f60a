package io.omnisql.ratelimit;

/**
 * Protection of one upstream API: a token bucket for page requests, a cap on requests in flight and, optionally
 * ({@code perPrincipal} null: none), each principal's own bucket drawn from by the pages its queries fetch.
 */
public record SourceLimit(BucketSpec bucket, int maxConcurrency, BucketSpec perPrincipal) {
    public SourceLimit(BucketSpec bucket, int maxConcurrency) {
        this(bucket, maxConcurrency, null);
    }

    public SourceLimit {
        if (bucket == null) {
            throw new IllegalArgumentException("bucket is required");
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("max_concurrency must be a positive integer, got " + maxConcurrency);
        }
    }
}
