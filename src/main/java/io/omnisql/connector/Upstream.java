package io.omnisql.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.ratelimit.SourcePermit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * One upstream GET, made safe: credentials from the environment, the source's token bucket, conditional
 * requests (a stored page is revalidated with {@code If-None-Match}; a 304 reuses it, and costs no token when
 * the source declares {@code conditional_requests: free}), the
 * providers' rate-limit answers honoured within the query's deadline, bounded jittered retries of 5xx and
 * connection failures, and bodies checked against their {@code Content-Length}.
 */
final class Upstream {
    /** A whole answer: a 2xx (or a revalidated 304 carrying the stored body), or a 404 when the caller allows it. */
    record Page(URI uri, int status, byte[] body, List<String> links, long nanos) {
    }

    /** A page kept for revalidation: its validator, body and Link header (a 304 carries neither). */
    private record Stored(String etag, byte[] body, List<String> links) implements ValidatorStore.Validator {
    }

    /** {@link #get}'s {@code sharedSinceMillis} for a request that is never shared with other replicas. */
    static final long NOT_SHARED = Long.MAX_VALUE;
    private static final long BACKOFF_BASE_MS = 200;
    private static final long BACKOFF_CAP_MS = 5_000;
    /** GitHub: a secondary limit without retry-after means waiting at least a minute. */
    private static final long SECONDARY_LIMIT_WAIT_MS = 60_000;
    private static final int MAX_STORED_BODY = 4 << 20;
    private static final int MAX_MESSAGE_CHARS = 300;

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final ObjectMapper json = new ObjectMapper();
    private final Credentials credentials;
    private final RateLimiter limiter;
    private final InstantSource clock;
    private final ValidatorStore stored;
    private volatile PageListener listener = PageListener.NONE;
    private volatile FleetPages fleet = FleetPages.NONE;
    private volatile BiConsumer<String, Long> rateLimitListener = (source, remaining) -> {
    };

    Upstream(Credentials credentials, RateLimiter limiter, InstantSource clock, long etagCacheBytes) {
        this.credentials = credentials;
        this.limiter = limiter;
        this.clock = clock;
        this.stored = new ValidatorStore(etagCacheBytes);
    }

    void listener(PageListener listener) {
        this.listener = listener;
    }

    PageListener listener() {
        return listener;
    }

    /** Where pages are shared with other replicas (none by default). */
    void fleet(FleetPages fleet) {
        this.fleet = fleet;
    }

    ValidatorStore validators() {
        return stored;
    }

    void rateLimitListener(BiConsumer<String, Long> listener) {
        this.rateLimitListener = listener;
    }

    /**
     * GETs {@code uri}, retrying as the source allows, until it has a whole answer or must give up.
     *
     * @param notFoundAllowed a 404 is returned as a page with no body instead of failing
     * @param traceparent     W3C trace context sent as the {@code traceparent} header, or null
     * @throws QueryException SOURCE_TIMEOUT, SOURCE_ERROR (with {@code upstream_status} when there was one) or
     *                        RATE_LIMIT_EXHAUSTED (with {@code retry_after_ms})
     */
    Page get(SourceDef source, String table, URI uri, long deadlineNanos, boolean notFoundAllowed) {
        return get(source, table, uri, deadlineNanos, notFoundAllowed, null, NOT_SHARED, null);
    }

    /**
     * As {@link #get(SourceDef, String, URI, long, boolean)}; with {@code postBody} not null, a POST (a search
     * API) of that JSON object with the URI's query parameters as its fields (see {@link PostBody}). The page may
     * come from another replica that fetched it at or after {@code sharedSinceMillis} (wall clock), or that is
     * fetching it now, and this replica's own fetch is offered to the others ({@link #NOT_SHARED}: never). A shared
     * page costs no token of the source's bucket. POST pages are never shared (their request is not their URI).
     *
     * @param traceparent W3C trace context sent as the {@code traceparent} header of this replica's own requests,
     *                    or null
     */
    Page get(SourceDef source, String table, URI uri, long deadlineNanos, boolean notFoundAllowed,
             Map<String, Object> postBody, long sharedSinceMillis, String traceparent) {
        FleetPages pages = fleet;
        if (sharedSinceMillis == NOT_SHARED || pages == FleetPages.NONE || postBody != null) {
            return fetch(source, table, uri, deadlineNanos, notFoundAllowed, postBody, null, traceparent);
        }
        long start = System.nanoTime();
        String key = source.name() + " " + uri;
        FleetPages.Page page = pages.fetchOnce(key, sharedSinceMillis, deadlineNanos, source.timeoutMs(), older -> {
            // The fleet's older copy revalidates like this replica's own: a 304 costs no upstream quota.
            Stored fleetCopy = older == null || older.etag() == null ? null
                    : new Stored(older.etag(), older.body(), older.links());
            Page own = fetch(source, table, uri, deadlineNanos, notFoundAllowed, null, fleetCopy, traceparent);
            boolean whole = own.status() / 100 == 2 || own.status() == 304;
            ValidatorStore.Validator validator = stored.get(key);
            return new FleetPages.Page(own.status(), own.body() == null ? new byte[0] : own.body(), own.links(),
                    validator == null ? null : validator.etag(), clock.millis(), whole);
        });
        return new Page(uri, page.status(), page.status() == 404 ? null : page.body(), page.links(),
                System.nanoTime() - start);
    }

    /** {@code fleetCopy}: the fleet's older copy, used for {@code If-None-Match} when this replica has none. */
    private Page fetch(SourceDef source, String table, URI uri, long deadlineNanos, boolean notFoundAllowed,
                       Map<String, Object> postBody, ValidatorStore.Validator fleetCopy, String traceparent) {
        String key = source.name() + " " + uri;
        boolean reauthenticated = false;
        String sentAuthorization = null;
        for (int attempt = 0; ; attempt++) {
            long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (remainingMs <= 0) {
                throw timeout(source, "query deadline reached before the request");
            }
            long timeoutMs = Math.min(remainingMs, source.timeoutMs());
            ValidatorStore.Validator own = postBody == null ? stored.get(key) : null;
            ValidatorStore.Validator previous = own != null || postBody != null ? own : fleetCopy;
            // A revalidation the upstream does not charge when answered 304 waits for no token; any other
            // outcome of it (a 200, an error, no answer at all) is charged afterwards, as the upstream may count it.
            boolean free = previous != null && source.freeRevalidation();
            boolean uncharged = false;
            long start = System.nanoTime();
            HttpResponse<byte[]> response = null;
            try (SourcePermit permit = free ? limiter.acquireRevalidation(source.name(), deadlineNanos)
                    : limiter.acquireSource(source.name(), deadlineNanos)) {
                uncharged = !permit.tokenTaken();
                HttpRequest request = request(source, uri, timeoutMs, previous, deadlineNanos, postBody, traceparent);
                sentAuthorization = request.headers().firstValue("Authorization").orElse(null);
                response = send(request, timeoutMs);
            } catch (TimeoutException | HttpTimeoutException e) {
                listener.page(source.name(), table, uri, 0, 0, System.nanoTime() - start);
                throw timeout(source, "no answer within " + timeoutMs + " ms");
            } catch (IOException e) {
                listener.page(source.name(), table, uri, 0, 0, System.nanoTime() - start);
                if (attempt < source.retries() && backOff(attempt, deadlineNanos)) {
                    continue;
                }
                throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " unreachable after "
                        + (attempt + 1) + " attempt(s): " + e.getClass().getSimpleName(),
                        Map.of("source", source.name()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw timeout(source, "request cancelled");
            } finally {
                if (uncharged && (response == null || response.statusCode() != 304)) {
                    limiter.chargeSource(source.name());
                }
            }
            long nanos = System.nanoTime() - start;
            int status = response.statusCode();
            OptionalLong remaining = headerLong(response.headers(), "x-ratelimit-remaining");
            if (remaining.isPresent()) {
                rateLimitListener.accept(source.name(), remaining.getAsLong());
                if (remaining.getAsLong() == 0) {
                    // The quota is spent until its reset: every replica holds back, not only this one.
                    Long reset = response.headers().firstValue("x-ratelimit-reset").map(this::untilReset).orElse(null);
                    if (reset != null) {
                        limiter.pauseSource(source.name(), reset);
                    }
                }
            }
            if (status == 304 && previous != null) {
                if (previous == fleetCopy && previous.body().length <= MAX_STORED_BODY) {
                    stored.put(key, previous.etag(), previous.body(), previous.links());
                }
                return new Page(uri, 304, previous.body(), previous.links(), nanos);
            }
            if (status >= 200 && status < 300) {
                return accept(source, uri, key, response, nanos);
            }
            listener.page(source.name(), table, uri, status, 0, nanos);
            if (status == 404 && notFoundAllowed) {
                return new Page(uri, 404, null, List.of(), nanos);
            }
            if (status == 401 && !reauthenticated) {
                // A rotated secret or an expired token: read the secrets again, get a new token, try once more.
                reauthenticated = true;
                credentials.rejected(source, sentAuthorization);
                attempt--;
                continue;
            }
            long waitMs = rateLimitWaitMs(response, attempt);
            if (waitMs >= 0) {
                limiter.pauseSource(source.name(), waitMs);
                if (attempt >= source.retries() || System.nanoTime() + waitMs * 1_000_000 >= deadlineNanos) {
                    throw new QueryException(ErrorCode.RATE_LIMIT_EXHAUSTED, "source " + source.name()
                            + " is rate limited (HTTP " + status + "): next attempt allowed in " + waitMs + " ms"
                            + (attempt >= source.retries() ? ", after " + (attempt + 1) + " attempt(s)"
                            : ", after the query's deadline"),
                            Map.of("source", source.name(), "retry_after_ms", waitMs, "upstream_status", status,
                                    "limit", "upstream"));
                }
                sleep(waitMs);
                continue;
            }
            if (status >= 500 && attempt < source.retries() && backOff(attempt, deadlineNanos)) {
                continue;
            }
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " answered HTTP " + status
                    + " for " + uri.getPath() + upstreamMessage(response.body()),
                    Map.of("source", source.name(), "upstream_status", status));
        }
    }

    /**
     * The request as sent: the source's headers and query parameters with their secrets filled in, and its
     * Authorization. Secret query parameters are added here only, so the URIs that explain, traces and errors
     * show never carry them.
     */
    private HttpRequest request(SourceDef source, URI uri, long timeoutMs, ValidatorStore.Validator previous, long deadlineNanos,
                                Map<String, Object> postBody, String traceparent) {
        try {
            URI sent = uri;
            HttpRequest.BodyPublisher body = null;
            if (postBody != null) {
                body = HttpRequest.BodyPublishers.ofByteArray(PostBody.of(postBody, uri));
                String s = uri.toString();
                sent = URI.create(s.contains("?") ? s.substring(0, s.indexOf('?')) : s);
            }
            if (!source.queryParams().isEmpty()) {
                StringBuilder q = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
                source.queryParams().forEach((name, template) -> q.append(q.isEmpty() ? "" : "&").append(form(name))
                        .append('=').append(form(credentials.secrets().expand(template))));
                String s = uri.toString();
                int qm = s.indexOf('?');
                sent = URI.create((qm < 0 ? s : s.substring(0, qm)) + "?" + q);
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(sent).timeout(Duration.ofMillis(timeoutMs));
            if (body == null) {
                b.GET();
            } else {
                b.POST(body).header("Content-Type", "application/json");
            }
            source.headers().forEach((name, template) -> b.header(name, credentials.secrets().expand(template)));
            if (traceparent != null) {
                b.header("traceparent", traceparent);
            }
            String authorization = credentials.authorization(source, deadlineNanos);
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            if (previous != null) {
                b.header("If-None-Match", previous.etag());
            }
            return b.build();
        } catch (Secrets.Missing e) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + ": " + e.getMessage(),
                    Map.of("source", source.name()));
        }
    }

    private static String form(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Sends and waits for the whole body, the body included in the time limit (a slow body is a timeout). */
    private HttpResponse<byte[]> send(HttpRequest request, long timeoutMs)
            throws IOException, InterruptedException, TimeoutException {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private Page accept(SourceDef source, URI uri, String key, HttpResponse<byte[]> response, long nanos) {
        byte[] body = response.body();
        OptionalLong declared = headerLong(response.headers(), "content-length");
        if (declared.isPresent() && declared.getAsLong() != body.length) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " sent a truncated body for "
                    + uri.getPath() + " (" + body.length + " of " + declared.getAsLong() + " bytes)",
                    Map.of("source", source.name(), "upstream_status", response.statusCode()));
        }
        List<String> links = response.headers().allValues("link");
        String etag = response.headers().firstValue("etag").orElse(null);
        if (etag != null && body.length <= MAX_STORED_BODY) {
            stored.put(key, etag, body, links);
        } else {
            stored.remove(key);
        }
        return new Page(uri, response.statusCode(), body, links, nanos);
    }

    /**
     * How long to wait before retrying a rate-limited answer, or -1 when the answer is no rate limit. 429, or 403
     * with a rate-limit sign (GitHub answers both ways): {@code Retry-After} wins; with the quota used up, the
     * reset time; otherwise (GitHub's secondary limit) at least a minute, doubling per attempt. Jittered so
     * parallel streams do not return in lockstep.
     */
    private long rateLimitWaitMs(HttpResponse<byte[]> response, int attempt) {
        HttpHeaders h = response.headers();
        String retryAfter = h.firstValue("retry-after").orElse(null);
        OptionalLong remaining = headerLong(h, "x-ratelimit-remaining");
        boolean exhausted = remaining.isPresent() && remaining.getAsLong() == 0;
        int status = response.statusCode();
        boolean limited = status == 429 || status == 403 && (retryAfter != null || exhausted
                || new String(response.body(), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("rate limit"));
        if (!limited) {
            return -1;
        }
        long wait;
        Long after = retryAfter == null ? null : retryAfterMs(retryAfter);
        Long reset = h.firstValue("x-ratelimit-reset").map(this::untilReset).orElse(null);
        if (after != null) {
            wait = after;
        } else if (exhausted && reset != null) {
            wait = reset;
        } else {
            wait = SECONDARY_LIMIT_WAIT_MS << Math.min(attempt, 4);
        }
        return wait + ThreadLocalRandom.current().nextLong(Math.min(1_000, wait / 10 + 1));
    }

    /** Retry-After: delta seconds or an HTTP date. */
    private Long retryAfterMs(String value) {
        try {
            return Math.max(0, Long.parseLong(value.trim()) * 1_000);
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, at.toEpochMilli() - clock.millis());
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /**
     * Milliseconds until a rate-limit reset: GitHub sends epoch seconds (recorded fixtures normalise them to
     * milliseconds, recognisable by their size), Jira an ISO-8601 instant.
     */
    private Long untilReset(String value) {
        long at;
        try {
            long n = Long.parseLong(value.trim());
            at = n > 100_000_000_000L ? n : n * 1_000;
        } catch (NumberFormatException e) {
            try {
                at = Instant.parse(value.trim()).toEpochMilli();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
        return Math.max(0, at - clock.millis());
    }

    /** Sleeps a jittered exponential delay before retry {@code attempt + 1}; false when it would pass the deadline. */
    private boolean backOff(int attempt, long deadlineNanos) {
        long cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS << Math.min(attempt, 10));
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        if (System.nanoTime() + delay * 1_000_000 >= deadlineNanos) {
            return false;
        }
        sleep(delay);
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "fetch cancelled while backing off");
        }
    }

    /** The provider's own explanation from an error body (GitHub {@code message}, Jira {@code errorMessages}). */
    String upstreamMessage(byte[] body) {
        try {
            JsonNode node = body == null || body.length == 0 ? null : json.readTree(body);
            if (node == null || !node.isObject()) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            if (node.path("message").isTextual()) {
                parts.add(node.get("message").asText());
            }
            if (node.path("error").isTextual()) {
                parts.add(node.get("error").asText()); // Slack: HTTP 200 {"ok": false, "error": "invalid_auth"}
            }
            node.path("errorMessages").forEach(m -> parts.add(m.asText()));
            Map<String, String> fields = new LinkedHashMap<>();
            node.path("errors").properties().forEach(e -> fields.put(e.getKey(), e.getValue().asText()));
            if (!fields.isEmpty()) {
                parts.add(fields.toString());
            }
            String text = String.join("; ", parts);
            return text.isEmpty() ? "" : ": " + (text.length() > MAX_MESSAGE_CHARS
                    ? text.substring(0, MAX_MESSAGE_CHARS) + "..." : text);
        } catch (IOException e) {
            return "";
        }
    }

    private static OptionalLong headerLong(HttpHeaders headers, String name) {
        try {
            return headers.firstValue(name).map(v -> OptionalLong.of(Long.parseLong(v.trim()))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static QueryException timeout(SourceDef source, String why) {
        return new QueryException(ErrorCode.SOURCE_TIMEOUT, "source " + source.name() + " timed out: " + why,
                Map.of("source", source.name()));
    }
}
