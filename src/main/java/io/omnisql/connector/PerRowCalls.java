package io.omnisql.connector;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-row columns: one upstream call per distinct URL, made only for the rows handed in (already cut by the
 * table's filters), at most the column's {@code concurrency} at a time, with answers cached per URL for the
 * column's {@code cache_ttl_ms}. Remembers which URLs the last fetch of a request needed, so explain can say
 * how many calls the same request would cost now.
 */
final class PerRowCalls {
    /** A per-URL answer; {@code value} empty when the resource or the JSON path held nothing. */
    private record Answer(Optional<Object> value, long ttlNanos) {
    }

    private final Upstream upstream;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Per-URL answers, bounded by estimated bytes (URL and value) rather than by count. */
    private final AsyncCache<String, Answer> answers = Caffeine.newBuilder()
            .maximumWeight(64L << 20)
            .weigher((String url, Answer a) -> (int) Math.min(Integer.MAX_VALUE, 96 + 2L * url.length()
                    + a.value().map(v -> 48 + 2L * String.valueOf(v).length()).orElse(0L)))
            .expireAfter(new Expiry<String, Answer>() {
                @Override
                public long expireAfterCreate(String key, Answer a, long now) {
                    return a.ttlNanos();
                }

                @Override
                public long expireAfterUpdate(String key, Answer a, long now, long remaining) {
                    return a.ttlNanos();
                }

                @Override
                public long expireAfterRead(String key, Answer a, long now, long remaining) {
                    return remaining;
                }
            })
            .buildAsync();
    /** URLs the last fetch of a request needed, per column; bounded by the total number of URLs kept. */
    private final Cache<String, List<String>> lastNeeded = Caffeine.newBuilder()
            .maximumWeight(32L << 20)
            .weigher((String k, List<String> urls) -> (int) Math.min(Integer.MAX_VALUE, 64 + 2L * k.length()
                    + urls.stream().mapToLong(u -> 48 + 2L * u.length()).sum()))
            .build();

    PerRowCalls(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Fills the per-row columns of {@code rows} in place; returns how many upstream calls it made. */
    int fill(SourceRequest request, URI base, List<Object[]> rows, long deadlineNanos, PageListener listener) {
        AtomicInteger calls = new AtomicInteger();
        List<ColumnDef> columns = request.columns();
        for (int i = 0; i < columns.size(); i++) {
            ColumnDef c = columns.get(i);
            if (c.isPerRow()) {
                fillColumn(request, base, rows, i, deadlineNanos, calls, listener);
            }
        }
        return calls.get();
    }

    private void fillColumn(SourceRequest request, URI base, List<Object[]> rows, int index, long deadlineNanos,
                            AtomicInteger calls, PageListener listener) {
        ColumnDef column = request.columns().get(index);
        String[] urls = new String[rows.size()];
        Set<String> needed = new LinkedHashSet<>();
        for (int r = 0; r < rows.size(); r++) {
            urls[r] = url(base, column, request.columns(), rows.get(r));
            if (urls[r] != null) {
                needed.add(urls[r]);
            }
        }
        lastNeeded.put(neededKey(request, column), List.copyOf(needed));
        Semaphore slots = new Semaphore(column.perRow().concurrency());
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int r = 0; r < rows.size(); r++) {
                Object[] row = rows.get(r);
                String url = urls[r];
                if (url == null) {
                    continue;
                }
                futures.add(exec.submit(() -> {
                    slots.acquire();
                    try {
                        row[index] = answer(request, column, url, deadlineNanos, calls, listener).value().orElse(null);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    exec.shutdownNow();
                    throw e.getCause() instanceof QueryException q ? q : new QueryException(ErrorCode.SOURCE_ERROR,
                            "per-row column " + column.name() + " failed: " + e.getCause().getClass().getSimpleName(),
                            Map.of("source", request.source().name()), e.getCause());
                } catch (InterruptedException e) {
                    exec.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "per-row column " + column.name() + " cancelled",
                            Map.of("source", request.source().name()));
                }
            }
        }
    }

    /**
     * The cached answer for {@code url}, or one call for it, made on this thread (not inside a cache computation,
     * which would hold up unrelated keys); concurrent asks for one URL share the call.
     */
    private Answer answer(SourceRequest request, ColumnDef column, String url, long deadlineNanos, AtomicInteger calls,
                          PageListener listener) {
        String key = request.source().name() + " " + url;
        CompletableFuture<Answer> mine = new CompletableFuture<>();
        CompletableFuture<Answer> existing = answers.asMap().putIfAbsent(key, mine);
        if (existing != null) {
            try {
                return existing.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof QueryException q ? q : e;
            }
        }
        try {
            Answer a = call(request, column, url, deadlineNanos, calls, listener);
            mine.complete(a);
            return a;
        } catch (RuntimeException e) {
            answers.asMap().remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private Answer call(SourceRequest request, ColumnDef column, String url, long deadlineNanos, AtomicInteger calls,
                        PageListener listener) {
        calls.incrementAndGet();
        URI uri = URI.create(url);
        Upstream.Page page = upstream.get(request.source(), request.table().name(), uri, deadlineNanos, true,
                null, Upstream.NOT_SHARED, listener.traceparent());
        Object value = null;
        if (page.body() != null) {
            listener.page(request.source().name(), request.table().name(), uri, page.status(), 1, page.nanos());
            JsonNode body;
            try {
                body = json.readTree(page.body());
            } catch (IOException e) {
                throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + request.source().name()
                        + " sent malformed JSON for " + uri.getPath(), Map.of("source", request.source().name()));
            }
            value = Values.convert(JsonRows.at(body, JsonRows.path(column.perRow().value())), column.type());
        }
        return new Answer(Optional.ofNullable(value), TimeUnit.MILLISECONDS.toNanos(column.perRow().cacheTtlMs()));
    }

    /** What explain shows for each per-row column the request reads: the call it makes and how many. */
    List<String> plan(SourceRequest request, URI base) {
        List<String> out = new ArrayList<>();
        for (ColumnDef c : request.columns()) {
            if (!c.isPerRow()) {
                continue;
            }
            String call = "per_row " + c.name() + ": GET " + prefix(base) + c.perRow().path();
            List<String> last = lastNeeded.getIfPresent(neededKey(request, c));
            if (last == null) {
                out.add(call + " - 1 call per row that passes the table's filters (row count known after the first"
                        + " fetch); cached per URL, at most " + c.perRow().concurrency() + " at a time");
            } else {
                long uncached = last.stream()
                        .filter(u -> !cached(request.source().name() + " " + u)).count();
                out.add(call + " - up to " + uncached + " calls (" + last.size() + " rows passed the table's filters"
                        + " at the last fetch, " + (last.size() - uncached) + " answers cached); at most "
                        + c.perRow().concurrency() + " at a time");
            }
        }
        return out;
    }

    private boolean cached(String key) {
        CompletableFuture<Answer> f = answers.getIfPresent(key);
        return f != null && f.isDone() && !f.isCompletedExceptionally();
    }

    private static String neededKey(SourceRequest request, ColumnDef column) {
        return request.key() + "|" + column.name();
    }

    /** The call's URL for one row, or null when a slot's column is NULL in that row. */
    private static String url(URI base, ColumnDef column, List<ColumnDef> columns, Object[] row) {
        String path = column.perRow().path();
        for (String slot : column.perRow().slots()) {
            Object v = null;
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(slot)) {
                    v = row[i];
                }
            }
            if (v == null) {
                return null;
            }
            // Slots keep '/' (owner/repo); everything else is percent-encoded.
            String encoded = URLEncoder.encode(v.toString(), StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
            path = path.replace("{" + slot + "}", encoded);
        }
        return prefix(base) + path;
    }

    private static String prefix(URI base) {
        return base.toString().replaceAll("/+$", "");
    }
}
