package io.omnisql.sim;

import io.helidon.webserver.http.ServerRequest;

/** One simulated provider: its endpoints plus how it words rate limits and errors. Immutable per data generation. */
interface Api {

    /** Answers a request that passed the quota and fault gates. */
    Reply handle(ServerRequest request);

    /** The injected "slow down" answer ({@code rate_limit_every}). */
    Reply throttled(int status, int retryAfterS);

    /** The answer once the primary quota is used up. */
    Reply quotaExhausted(Quota.Snapshot quota, long nowEpochSecond);

    /** The injected server error ({@code error_every}). */
    Reply error(int status);

    /** Adds the provider's rate-limit headers to every answer while a quota is configured. */
    void quotaHeaders(Quota.Snapshot quota, Reply reply);
}
