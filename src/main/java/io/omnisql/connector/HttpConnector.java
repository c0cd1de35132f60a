package io.omnisql.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.config.Catalog.PaginationStyle;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.ratelimit.SourcePermit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one connector: drives any catalog table over HTTP by its declared pagination style. Streams (fan-out
 * values) are fetched concurrently on virtual threads; pages within a stream follow the source's own
 * continuation (Link rel="next" exactly as given, a next-page token, or startAt/total).
 */
public final class HttpConnector implements Connector {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private final HttpClient client;
    private final Function<SourceDef, URI> baseUrls;
    private final Function<String, String> env;
    private final RateLimiter limiter;
    private volatile Map<String, Map<String, String>> mappings = Map.of();

    /**
     * @param baseUrls resolves a source's base URL (embedded sources point at the simulators)
     * @param env      reads secrets at request time (System::getenv in production)
     * @param limiter  every upstream page costs a token of its source's bucket and holds a concurrency slot
     */
    public HttpConnector(Function<SourceDef, URI> baseUrls, Function<String, String> env, RateLimiter limiter) {
        this.baseUrls = baseUrls;
        this.env = env;
        this.limiter = limiter;
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public URI baseUrl(SourceDef source) {
        return baseUrls.apply(source);
    }

    /** Catalog lookups used by mapped columns; replaced on every configuration reload. */
    public void mappings(Map<String, Map<String, String>> mappings) {
        this.mappings = mappings;
    }

    @Override
    public FetchResult fetch(SourceRequest request, long deadlineNanos) {
        long start = System.nanoTime();
        JsonRows extractor = new JsonRows(request.columns(), mappings);
        int maxRows = request.table().maxRows();
        List<StreamResult> results = new ArrayList<>();
        try (ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<StreamResult>> futures = new ArrayList<>();
            for (URI first : request.streams()) {
                futures.add(streams.submit(() -> stream(request, first, extractor, maxRows, deadlineNanos)));
            }
            for (Future<StreamResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    streams.shutdownNow();
                    if (e.getCause() instanceof QueryException q) {
                        throw q;
                    }
                    throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + request.source().name()
                            + " failed: " + e.getCause(), Map.of("source", request.source().name()), e.getCause());
                } catch (InterruptedException e) {
                    streams.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "fetch of " + request.table().name() + " interrupted",
                            Map.of("source", request.source().name()));
                }
            }
        }
        List<Object[]> rows = new ArrayList<>();
        int pages = 0;
        boolean truncated = false;
        for (StreamResult r : results) {
            pages += r.pages;
            for (Object[] row : r.rows) {
                if (rows.size() >= maxRows) {
                    truncated = true;
                    break;
                }
                rows.add(row);
            }
            truncated |= r.truncated;
        }
        List<String> warnings = truncated
                ? List.of(request.table().name() + ": fetch cut at max_rows " + maxRows + "; the answer may be incomplete")
                : List.of();
        return new FetchResult(rows, pages, (System.nanoTime() - start) / 1_000_000, truncated, warnings);
    }

    private record StreamResult(List<Object[]> rows, int pages, boolean truncated) {
    }

    private StreamResult stream(SourceRequest request, URI first, JsonRows extractor, int maxRows, long deadlineNanos) {
        SourceDef source = request.source();
        List<Object[]> rows = new ArrayList<>();
        int pages = 0;
        URI next = first;
        int startAt = 0;
        while (next != null) {
            if (rows.size() >= maxRows) {
                return new StreamResult(rows, pages, true);
            }
            HttpResponse<byte[]> response = get(source, next, deadlineNanos);
            pages++;
            JsonRows.Page page;
            try {
                page = extractor.page(response.body(), request.table().rowsPath(), pageFields(source));
            } catch (JsonProcessingException e) {
                throw malformed(source, next, e.getOriginalMessage());
            } catch (IOException e) {
                throw malformed(source, next, e.getMessage());
            }
            if (page == null) {
                throw malformed(source, next, "empty body");
            }
            if (page.rows() == null) {
                throw malformed(source, next, "no row array at '" + request.table().rowsPath() + "'");
            }
            rows.addAll(page.rows());
            JsonNode body = page.fields();
            List<Object[]> items = page.rows();
            next = switch (source.pagination().style()) {
                case LINK_HEADER -> linkNext(response);
                case NEXT_PAGE_TOKEN -> tokenNext(source, body, next);
                case START_AT -> {
                    startAt += items.size();
                    JsonNode total = body.get(source.pagination().totalField());
                    yield items.isEmpty() || total == null || startAt >= total.asLong()
                            ? null : withParam(next, source.pagination().startParam(), String.valueOf(startAt));
                }
                case NONE -> null;
            };
        }
        return new StreamResult(rows, pages, false);
    }

    /** The top-level body fields the source's pagination reads; the row extraction keeps only these. */
    private static Set<String> pageFields(SourceDef source) {
        Set<String> fields = new HashSet<>();
        for (String f : new String[] {source.pagination().tokenField(), source.pagination().lastField(),
                source.pagination().totalField()}) {
            if (f != null && !f.isEmpty()) {
                fields.add(f);
            }
        }
        return fields;
    }

    private static URI linkNext(HttpResponse<?> response) {
        for (String link : response.headers().allValues("link")) {
            Matcher m = NEXT.matcher(link);
            if (m.find()) {
                return URI.create(m.group(1));
            }
        }
        return null;
    }

    private static URI tokenNext(SourceDef source, JsonNode body, URI current) {
        JsonNode last = body.get(source.pagination().lastField());
        JsonNode token = body.get(source.pagination().tokenField());
        if ((last != null && last.asBoolean()) || token == null || token.isNull() || token.asText().isEmpty()) {
            return null;
        }
        return withParam(current, source.pagination().tokenParam(), token.asText());
    }

    private static URI withParam(URI uri, String name, String value) {
        String q = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        StringBuilder out = new StringBuilder();
        String prefix = java.net.URLEncoder.encode(name, StandardCharsets.UTF_8) + "=";
        for (String part : q.split("&")) {
            if (!part.isEmpty() && !part.startsWith(prefix)) {
                out.append(out.isEmpty() ? "" : "&").append(part);
            }
        }
        out.append(out.isEmpty() ? "" : "&").append(prefix)
                .append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
        String s = uri.toString();
        int qm = s.indexOf('?');
        return URI.create((qm < 0 ? s : s.substring(0, qm)) + "?" + out);
    }

    private HttpResponse<byte[]> get(SourceDef source, URI uri, long deadlineNanos) {
        long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMs <= 0) {
            throw timeout(source, "query deadline reached before the request");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET()
                .timeout(Duration.ofMillis(Math.min(remainingMs, source.timeoutMs())));
        source.headers().forEach(b::header);
        authorize(source, b);
        HttpResponse<byte[]> response;
        try (SourcePermit permit = limiter.acquireSource(source.name(), deadlineNanos)) {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw timeout(source, "no answer within " + Math.min(remainingMs, source.timeoutMs()) + " ms");
        } catch (IOException e) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " unreachable: " + e.getMessage(),
                    Map.of("source", source.name()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw timeout(source, "request cancelled");
        }
        if (response.statusCode() >= 400) {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " answered HTTP "
                    + response.statusCode() + " for " + uri.getPath(),
                    Map.of("source", source.name(), "upstream_status", response.statusCode()));
        }
        return response;
    }

    private void authorize(SourceDef source, HttpRequest.Builder b) {
        String token = source.auth().tokenEnv().isEmpty() ? null : env.apply(source.auth().tokenEnv());
        if (token == null || token.isEmpty()) {
            return;
        }
        switch (source.auth().type()) {
            case "bearer" -> b.header("Authorization", "Bearer " + token);
            case "basic" -> {
                String user = env.apply(source.auth().userEnv());
                String pair = (user == null ? "" : user) + ":" + token;
                b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            }
            default -> {
            }
        }
    }

    private static QueryException timeout(SourceDef source, String why) {
        return new QueryException(ErrorCode.SOURCE_TIMEOUT, "source " + source.name() + " timed out: " + why,
                Map.of("source", source.name()));
    }

    private static QueryException malformed(SourceDef source, URI uri, String why) {
        return new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " sent malformed JSON for "
                + uri.getPath() + ": " + why, Map.of("source", source.name()));
    }
}
