package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.omnisql.config.Catalog.Auth;
import io.omnisql.config.Catalog.Pagination;
import io.omnisql.config.Catalog.PaginationStyle;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RateLimiter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Revalidation against the source's bucket: a 304 of a source declaring {@code conditional_requests: free} takes
 * no token, one of a source that does not takes one, and a free revalidation answered 200 is charged after all.
 * The validator store keeps pages compressed and gives back the exact bytes on a 304.
 */
class RevalidationChargeTest {
    private static final String ETAG = "W/\"v1\"";
    private static final long DEADLINE = TimeUnit.SECONDS.toNanos(10);
    private HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicInteger notModified = new AtomicInteger();
    private RateLimiter limiter;
    private Upstream upstream;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String etag = "W/\"" + Integer.toHexString(body.get().hashCode()) + "\"";
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                ex.getResponseHeaders().add("ETag", etag);
                ex.sendResponseHeaders(304, -1);
            } else {
                byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("ETag", etag);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
            }
            ex.close();
        });
        server.start();
        // Refill one token a day: any token difference in the test is a charge, never a refill.
        limiter = RateLimiter.create(RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 10, refill_per_second: 1}
                sources:
                  default: {burst: 100, refill_per_second: 0.00001, max_concurrency: 4}
                """));
        upstream = new Upstream(new Credentials(name -> null, s -> URI.create(s.baseUrl()), InstantSource.system()), limiter,
                InstantSource.system(), 1 << 20);
        body.set("[" + "{\"number\":1,\"title\":\"a page that compresses well\"},".repeat(200) + "{}]");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static SourceDef source(String name, boolean free) {
        return new SourceDef(name, "http://127.0.0.1", new Auth("none", "", "", "", "", "", "", "", "", "", "", ""), Map.of(),
                new Pagination(PaginationStyle.NONE, 100, "per_page", "", "", "", "", "", "more"), 5_000, 0, Map.of(), free);
    }

    private Upstream.Page get(SourceDef source) {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/items");
        return upstream.get(source, "items", uri, System.nanoTime() + DEADLINE, false);
    }

    @Test
    void a304OfAFreeSourceTakesNoTokenAndOfAChargedSourceTakesOne() {
        SourceDef free = source("gh", true);
        SourceDef charged = source("jr", false);
        assertThat(get(free).status()).isEqualTo(200);
        assertThat(get(charged).status()).isEqualTo(200);
        long freeBefore = limiter.sourceTokensLeft("gh");
        long chargedBefore = limiter.sourceTokensLeft("jr");

        Upstream.Page freeAgain = get(free);
        Upstream.Page chargedAgain = get(charged);

        assertThat(notModified.get()).isEqualTo(2);
        assertThat(freeAgain.status()).isEqualTo(304);
        assertThat(chargedAgain.status()).isEqualTo(304);
        assertThat(limiter.sourceTokensLeft("gh")).as("a free source's 304 costs nothing").isEqualTo(freeBefore);
        assertThat(limiter.sourceTokensLeft("jr")).as("a charged source's 304 costs a token").isEqualTo(chargedBefore - 1);
        assertThat(new String(freeAgain.body(), StandardCharsets.UTF_8)).isEqualTo(body.get());
    }

    @Test
    void aFreeRevalidationAnsweredWithNewDataIsChargedAfterAll() {
        SourceDef free = source("gh", true);
        get(free);
        long before = limiter.sourceTokensLeft("gh");
        body.set("[{\"number\":2}]");

        Upstream.Page changed = get(free);

        assertThat(changed.status()).isEqualTo(200);
        assertThat(new String(changed.body(), StandardCharsets.UTF_8)).isEqualTo("[{\"number\":2}]");
        assertThat(limiter.sourceTokensLeft("gh")).isEqualTo(before - 1);
    }

    @Test
    void storedPagesWeighAFractionOfTheirRawSizeAndTheBoundIsInStoredBytes() {
        get(source("gh", true));
        ValidatorStore.Stats stats = upstream.validators().stats();
        assertThat(stats.pages()).isEqualTo(1);
        assertThat(stats.rawBytes()).isEqualTo(body.get().length());
        assertThat(stats.storedBytes()).isLessThan(stats.rawBytes() / 4);

        upstream.validators().resize(64);
        assertThat(upstream.validators().stats().pages()).as("a shrunk bound evicts at once").isZero();
        assertThat(upstream.validators().stats().rawBytes()).isZero();
        assertThat(get(source("gh", true)).status()).as("an evicted page is fetched whole again").isEqualTo(200);
    }
}
