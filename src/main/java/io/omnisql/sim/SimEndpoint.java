package io.omnisql.sim;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One loopback web server in front of an {@link Api}: adds latency, the primary quota and the deterministic faults.
 * Request n (counted since the last fault change) gets fault kind K when {@code n % K_every == 0}; gate faults
 * (throttle, error) win over body faults (malformed, truncated); a slow body applies to every answer with a body.
 */
final class SimEndpoint implements AutoCloseable {

    /** Prefix that makes any JSON body invalid, as an anti-XSSI guard or a misbehaving proxy would. */
    private static final byte[] MALFORMED_PREFIX = ")]}'\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SLOW_BODY_CHUNKS = 10;

    /** Settings that hot reload swaps as a unit, with the fault counter and quota they start afresh. */
    private record Live(int latencyMs, SimulatorSettings.Faults faults, AtomicLong requestNo, Quota quota) {
    }

    /**
     * Which counters this endpoint feeds; {@code endpointKind} maps a request to its endpoint counter or null, and
     * {@code notModified} is null for a provider that never answers 304.
     */
    record Tally(Counters counters, Counters.Kind requests, Counters.Kind faultsInjected, Counters.Kind rateLimited,
                 Counters.Kind notModified, Function<ServerRequest, Counters.Kind> endpointKind) {
    }

    private final InstantSource clock;
    private final Counters counters;
    private final Tally tally;
    private final WebServer server;
    private volatile Live live;
    private volatile Api api;
    private volatile SimTokens tokens;

    SimEndpoint(InstantSource clock, Tally tally, int latencyMs, SimulatorSettings.Faults faults) {
        this.clock = clock;
        this.counters = tally.counters();
        this.tally = tally;
        configure(latencyMs, faults);
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any(this::serve))
                .build()
                .start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The token endpoints this endpoint plays, and whose dead tokens it refuses. */
    void tokens(SimTokens tokens) {
        this.tokens = tokens;
    }

    /** Swaps the data behind the endpoint; requests in flight finish on the old one. */
    void api(Api api) {
        this.api = api;
    }

    /** Applies latency and faults; changed faults restart the every-Nth counting and the quota window. */
    void configure(int latencyMs, SimulatorSettings.Faults faults) {
        Live current = live;
        if (current != null && current.faults().equals(faults)) {
            live = new Live(latencyMs, faults, current.requestNo(), current.quota());
        } else {
            live = new Live(latencyMs, faults, new AtomicLong(),
                    new Quota(clock, faults.ratelimitLimit(), faults.ratelimitWindowS()));
        }
    }

    private void serve(ServerRequest req, ServerResponse res) throws InterruptedException {
        counters.increment(tally.requests());
        counters.increment(tally.endpointKind().apply(req));
        req.headers().first(io.helidon.http.HeaderNames.create("traceparent")).ifPresent(counters::traceparent);
        Live l = live;
        if (l.latencyMs() > 0) {
            Thread.sleep(l.latencyMs());
        }
        SimulatorSettings.Faults f = l.faults();
        SimTokens t = tokens;
        Reply tokenReply = t == null ? null : t.intercept(req);
        if (tokenReply != null) {
            write(res, tokenReply, 0, f);
            return;
        }
        long n = l.requestNo().incrementAndGet();
        Api a = api;
        Quota quota = l.quota();
        Reply reply;
        boolean bodyFaults = false;
        // A 304 costs no quota: decide it before taking a token, so concurrent readers never see a dip.
        Reply handled = quota.enabled() ? a.handle(req) : null;
        boolean free = handled != null && handled.status() == 304;
        if (quota.enabled() && !free && !quota.acquire()) {
            counters.increment(tally.rateLimited());
            reply = a.quotaExhausted(quota.snapshot(), clock.instant().getEpochSecond());
        } else if (hits(n, f.rateLimitEvery())) {
            counters.increment(tally.faultsInjected());
            reply = a.throttled(f.rateLimitStatus(), f.retryAfterS());
        } else if (hits(n, f.errorEvery())) {
            counters.increment(tally.faultsInjected());
            reply = a.error(f.errorStatus());
        } else {
            reply = handled != null ? handled : a.handle(req);
            if (reply.status() == 304) {
                counters.increment(tally.notModified());
            }
            bodyFaults = true;
        }
        if (quota.enabled()) {
            a.quotaHeaders(quota.snapshot(), reply);
        }
        write(res, reply, bodyFaults ? n : 0, f);
    }

    private static boolean hits(long n, int every) {
        return every > 0 && n % every == 0;
    }

    private void write(ServerResponse res, Reply reply, long n, SimulatorSettings.Faults f) {
        res.status(reply.status());
        reply.headers().forEach(res::header);
        byte[] body = reply.body();
        if (body == null) {
            res.send();
            return;
        }
        if (hits(n, f.malformedEvery())) {
            counters.increment(tally.faultsInjected());
            byte[] broken = Arrays.copyOf(MALFORMED_PREFIX, MALFORMED_PREFIX.length + body.length);
            System.arraycopy(body, 0, broken, MALFORMED_PREFIX.length, body.length);
            body = broken;
        } else if (hits(n, f.truncateEvery())) {
            counters.increment(tally.faultsInjected());
            body = Arrays.copyOf(body, body.length / 2);
        }
        if (f.slowBodyMs() > 0 && body.length > 0) {
            dribble(res, body, f.slowBodyMs());
        } else {
            res.send(body);
        }
    }

    /** Sends the body in a few flushed chunks spread over {@code totalMs}, with an honest Content-Length. */
    private static void dribble(ServerResponse res, byte[] body, int totalMs) {
        res.header("Content-Length", String.valueOf(body.length));
        int chunk = Math.max(1, (body.length + SLOW_BODY_CHUNKS - 1) / SLOW_BODY_CHUNKS);
        try (OutputStream out = res.outputStream()) {
            for (int off = 0; off < body.length; off += chunk) {
                if (off > 0) {
                    Thread.sleep(totalMs / SLOW_BODY_CHUNKS);
                }
                out.write(Arrays.copyOfRange(body, off, Math.min(body.length, off + chunk)));
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
