package io.omnisql.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.config.ConfigException;
import io.omnisql.config.ConfigParticipant;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.ratelimit.RateLimiter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one connector: drives any catalog table over HTTP by its declared pagination style. Streams (fan-out
 * values) are fetched concurrently on virtual threads; pages within a stream follow the source's own
 * continuation (Link rel="next" exactly as given, or a next-page token); with startAt/total paging, the pages
 * after the first are fetched concurrently. Every exchange goes through {@link Upstream} (auth, rate limits,
 * retries, conditional requests). Per-row columns are filled last, for the rows that pass the table's filters.
 */
public final class HttpConnector implements Connector {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final Pattern LAST = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?last\"?");
    /** Until {@link #validatorStoreBytes} is called: the catalog's default. */
    private static final long VALIDATOR_STORE_BYTES = 64L << 20;
    private final Function<SourceDef, URI> baseUrls;
    private final Upstream upstream;
    private final PerRowCalls perRow;
    private final FieldNames fieldNames;
    private final Credentials credentials;
    private volatile Map<String, Map<String, String>> mappings = Map.of();

    /**
     * @param baseUrls resolves a source's base URL (embedded sources point at the simulators)
     * @param env      reads secrets at request time (System::getenv in production)
     * @param limiter  every upstream request costs a token of its source's bucket and holds a concurrency slot
     */
    public HttpConnector(Function<SourceDef, URI> baseUrls, Function<String, String> env, RateLimiter limiter) {
        this.baseUrls = baseUrls;
        this.credentials = new Credentials(env, baseUrls, InstantSource.system());
        this.upstream = new Upstream(credentials, limiter, InstantSource.system(), VALIDATOR_STORE_BYTES);
        this.perRow = new PerRowCalls(upstream);
        this.fieldNames = new FieldNames(upstream);
    }

    /** Bounds the pages kept for revalidation by their stored (compressed) bytes: catalog.yaml's validator_store_bytes. */
    public void validatorStoreBytes(long maxBytes) {
        upstream.validators().resize(maxBytes);
    }

    public URI baseUrl(SourceDef source) {
        return baseUrls.apply(source);
    }

    /** Catalog lookups used by mapped columns; replaced on every configuration reload. */
    public void mappings(Map<String, Map<String, String>> mappings) {
        this.mappings = mappings;
    }

    /**
     * The table as this source's site names its fields: the columns in {@code used} declared by {@code field_name}
     * get the site's field id (from its field list, read once and kept until {@link #forgetFieldLists()}).
     *
     * @throws io.omnisql.error.QueryException SOURCE_ERROR for an unknown or ambiguous name, or a failed list
     */
    public io.omnisql.config.Catalog.TableDef resolveFields(io.omnisql.config.Catalog.TableDef table, SourceDef source,
                                                           Set<String> used, long deadlineNanos) {
        return fieldNames.resolve(table, source, baseUrl(source), used, deadlineNanos);
    }

    /**
     * A configuration reload: field lists, secrets and access tokens are read again on next use (a renamed field,
     * a rotated secret file or variable is picked up without a restart).
     */
    public void reloaded() {
        fieldNames.forget();
        credentials.forget();
    }

    /**
     * Checks that every secret the catalog's sources name ({@code ${env:..}}, {@code ${file:..}}) is there now,
     * so a missing one fails the load (start-up or reload) naming it, instead of surfacing as upstream 401s.
     */
    public ConfigParticipant secretsCheck() {
        return next -> {
            List<String> missing = new ArrayList<>();
            for (SourceDef source : next.catalog().sources().values()) {
                credentials.missing(source).forEach(m -> missing.add("source " + source.name() + ": " + m));
            }
            if (!missing.isEmpty()) {
                throw new ConfigException(io.omnisql.config.ConfigStore.CATALOG, 0, String.join("; ", missing));
            }
            return () -> {
            };
        };
    }

    /** Receives every upstream exchange (list pages, per-row calls, failed attempts): for spans and metrics. */
    public void pageListener(PageListener listener) {
        upstream.listener(listener);
    }

    /**
     * Shares list pages with the other replicas of a fleet through {@code pages}: a page another replica fetched
     * within the query's freshness window, or is fetching now, is not requested again. Per-row calls are not shared.
     */
    public void sharePages(FleetPages pages) {
        upstream.fleet(pages);
    }

    /** Receives (source, remaining) whenever an answer carries {@code x-ratelimit-remaining}. */
    public void onRateLimit(BiConsumer<String, Long> listener) {
        upstream.rateLimitListener(listener);
    }

    /**
     * What explain lists for a request beyond its first-page URIs: one line per per-row column it reads, with
     * the call and how many it may cost.
     */
    public List<String> perRowPlan(SourceRequest request) {
        return perRow.plan(request, baseUrl(request.source()));
    }

    @Override
    public FetchResult fetch(SourceRequest request, long deadlineNanos, PageListener perFetch, RowSink sink) {
        return fetch(request, deadlineNanos, System.currentTimeMillis(), perFetch, sink);
    }

    @Override
    public FetchResult fetch(SourceRequest request, long deadlineNanos, long sharedSinceMillis, PageListener perFetch,
                             RowSink sink) {
        long start = System.nanoTime();
        PageListener global = upstream.listener();
        PageListener listener = perFetch == PageListener.NONE ? global
                : PageListener.traced(perFetch.traceparent(), (src, table, uri, status, n, nanos) -> {
                    global.page(src, table, uri, status, n, nanos);
                    perFetch.page(src, table, uri, status, n, nanos);
                });
        boolean perRowColumns = request.columns().stream().anyMatch(c -> c.isPerRow());
        // Per-row columns are filled once all rows are in; otherwise each page goes on as soon as it is read.
        List<Object[]> held = perRowColumns ? new ArrayList<>() : null;
        Capped capped = new Capped(perRowColumns ? held::addAll : sink, request.table().maxRows());
        ColumnTally tally = new ColumnTally(request.columns().size());
        Extraction extractor = new Extraction(new JsonRows(request.columns(), mappings), listener, capped, tally,
                sharedSinceMillis);
        List<String> warnings = new ArrayList<>();
        int pages;
        try {
            pages = pages(request, request.streams().stream()
                    .<Callable<Integer>>map(first -> () -> stream(request, first, extractor, deadlineNanos)).toList());
        } catch (QueryException e) {
            // Every stream carries the same key clause, so Jira refuses each on its first page: nothing was kept.
            SourceRequest relaxed = capped.taken() == 0 ? MissingKeys.relaxed(request, e, baseUrl(request.source())) : null;
            if (relaxed == null) {
                throw e;
            }
            warnings.add(request.table().name() + ": the source refused a pushed key filter naming an issue that does"
                    + " not exist; fetched without it (the filter was applied by the gateway)");
            pages = 1 + pages(relaxed, relaxed.streams().stream()
                    .<Callable<Integer>>map(first -> () -> stream(relaxed, first, extractor, deadlineNanos)).toList());
        }
        long rows = capped.taken();
        int calls = 0;
        if (perRowColumns) {
            // Only rows the statement can return are worth a call each: drop those failing the table's own
            // WHERE conjuncts (the planner gives candidates only for tables that are not on a join's null side).
            List<io.omnisql.plan.Predicate> candidates = new ArrayList<>(request.pushed());
            candidates.addAll(request.notPushed());
            RowFilter filter = RowFilter.of(request.columns(), candidates);
            if (!filter.isEmpty()) {
                held.removeIf(row -> !filter.keeps(row));
            }
            calls = perRow.fill(request, baseUrl(request.source()), held, deadlineNanos, listener);
            rows = held.size();
            sink.accept(held);
        }
        int maxRows = request.table().maxRows();
        if (capped.cut()) {
            warnings.add(request.table().name() + ": fetch cut at max_rows " + maxRows + "; the answer may be incomplete");
        }
        warnings.addAll(ExtractionWarnings.of(request, tally));
        return new FetchResult(rows, pages, calls, (System.nanoTime() - start) / 1_000_000, capped.cut(),
                List.copyOf(warnings));
    }

    /**
     * The rows one fetch may still take (the table's max_rows), shared by its concurrent streams: the page that
     * overflows is cut, and a stream with pages left once it is full marks the fetch cut.
     */
    private static final class Capped {
        private final RowSink sink;
        private final long max;
        private long taken;
        private boolean cut;

        Capped(RowSink sink, long max) {
            this.sink = sink;
            this.max = max;
        }

        synchronized void accept(List<Object[]> page) {
            List<Object[]> kept = page;
            if (page.size() > max - taken) {
                cut = true;
                kept = page.subList(0, (int) (max - taken));
            }
            if (!kept.isEmpty()) {
                taken += kept.size();
                sink.accept(kept);
            }
        }

        synchronized long room() {
            return max - taken;
        }

        /** Rows were left behind: the source had more than max_rows. */
        synchronized void markCut() {
            cut = true;
        }

        synchronized long taken() {
            return taken;
        }

        synchronized boolean cut() {
            return cut;
        }
    }

    /** What every page of one fetch is read with, who is told about each exchange, and where its rows go. */
    /** What one fetch's page tasks share; {@code sharedSince}: pages other replicas fetched since then will do. */
    private record Extraction(JsonRows rows, PageListener listener, Capped out, ColumnTally tally, long sharedSince) {
    }

    /** The page counts of concurrent page-fetching tasks, summed (see {@link #all}). */
    private static int pages(SourceRequest request, List<Callable<Integer>> tasks) {
        return all(request, tasks).stream().mapToInt(Integer::intValue).sum();
    }

    /** Runs the tasks concurrently on virtual threads; the first failure cancels the rest and is rethrown. */
    private static <T> List<T> all(SourceRequest request, List<Callable<T>> tasks) {
        List<T> out = new ArrayList<>();
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = tasks.stream().map(exec::submit).toList();
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    exec.shutdownNow();
                    if (e.getCause() instanceof QueryException q) {
                        throw q;
                    }
                    throw new QueryException(ErrorCode.SOURCE_ERROR, "source " + request.source().name() + " failed: "
                            + e.getCause().getClass().getSimpleName(), Map.of("source", request.source().name()),
                            e.getCause());
                } catch (InterruptedException e) {
                    exec.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "fetch of " + request.table().name()
                            + " interrupted", Map.of("source", request.source().name()));
                }
            }
        }
        return out;
    }

    /** One page: the body's pagination fields (token, isLast, total) and the typed rows. */
    private record Fetched(Upstream.Page page, JsonNode body, List<Object[]> rows) {
    }

    private Fetched page(SourceRequest request, URI uri, Extraction extractor, long deadlineNanos) {
        SourceDef source = request.source();
        Upstream.Page page = upstream.get(source, request.table().name(), uri, deadlineNanos, false,
                request.table().method().equals("POST") ? request.table().body() : null, extractor.sharedSince(),
                extractor.listener().traceparent());
        JsonRows.Page rows;
        try {
            rows = extractor.rows().page(page.body(), request.table().rowsPath(), pageFields(source));
        } catch (JsonProcessingException e) {
            throw malformed(source, uri, e.getOriginalMessage());
        } catch (IOException e) {
            throw malformed(source, uri, e.getMessage());
        }
        if (rows == null) {
            throw malformed(source, uri, "empty body");
        }
        if (rows.rows() == null) {
            throw malformed(source, uri, "no row array at '" + request.table().rowsPath() + "'"
                    + upstream.upstreamMessage(page.body()));
        }
        extractor.tally().add(rows.tally());
        extractor.listener().page(source.name(), request.table().name(), uri, page.status(), rows.rows().size(), page.nanos());
        return new Fetched(page, rows.fields(), rows.rows());
    }

    /** The top-level body fields the source's pagination reads; the row extraction keeps only these. */
    private static Set<String> pageFields(SourceDef source) {
        Set<String> fields = new HashSet<>();
        for (String f : new String[] {source.pagination().tokenField(), source.pagination().lastField(),
                source.pagination().totalField(), source.pagination().moreField()}) {
            if (f != null && !f.isEmpty()) {
                fields.add(JsonRows.path(f)[0]); // a dotted cursor path is read below its top-level field
            }
        }
        return fields;
    }

    /** Fetches one stream's pages in order (in parallel where their addresses are known); returns the page count. */
    private int stream(SourceRequest request, URI first, Extraction extractor, long deadlineNanos) {
        SourceDef source = request.source();
        Capped out = extractor.out();
        int pages = 0;
        URI next = first;
        while (next != null) {
            if (out.room() <= 0) {
                out.markCut();
                break;
            }
            Fetched f = page(request, next, extractor, deadlineNanos);
            pages++;
            out.accept(f.rows());
            next = switch (source.pagination().style()) {
                case LINK_HEADER -> {
                    URI linked = linkNext(f.page().links());
                    List<URI> known = pages == 1 ? numberedPages(linked, link(f.page().links(), LAST)) : List.of();
                    if (known.isEmpty()) {
                        yield linked;
                    }
                    // Only as many pages as max_rows can use; the rest follow (and are cut) as usual.
                    int perPage = Math.max(1, f.rows().size());
                    int wanted = (int) Math.min(known.size(), Math.max(1, (out.room() + perPage - 1) / perPage));
                    List<Fetched> got = all(request, known.subList(0, wanted).stream()
                            .<Callable<Fetched>>map(uri -> () -> {
                                Fetched g = page(request, uri, extractor, deadlineNanos);
                                out.accept(g.rows());
                                return g;
                            }).toList());
                    pages += got.size();
                    // Pages added meanwhile show up as a next link on the last one: followed one by one.
                    yield linkNext(got.get(got.size() - 1).page().links());
                }
                case NEXT_PAGE_TOKEN, CURSOR -> tokenNext(source, f.body(), next);
                case OFFSET -> {
                    // PagerDuty: more=true means another page; the next offset is past the rows just read.
                    JsonNode more = f.body().get(source.pagination().moreField());
                    if (more == null || !more.asBoolean() || f.rows().isEmpty()) {
                        yield null;
                    }
                    yield withParam(next, source.pagination().startParam(),
                            String.valueOf(offsetOf(next, source.pagination().startParam()) + f.rows().size()));
                }
                case START_AT -> {
                    JsonNode total = f.body().get(source.pagination().totalField());
                    if (!f.rows().isEmpty() && total != null && total.canConvertToLong()) {
                        long cap = out.room() + f.rows().size();
                        if (total.asLong() > cap) {
                            out.markCut();
                        }
                        pages += restInParallel(request, next, extractor, f.rows().size(),
                                Math.min(total.asLong(), cap), deadlineNanos);
                    }
                    yield null;
                }
                case NONE -> null;
            };
        }
        return pages;
    }

    /**
     * startAt/total paging: with the first page's size and the total known, every further page's startAt is
     * known too, so they are fetched at once (the source's concurrency cap still applies). A page that comes
     * back short of its share (the server capped it, or data moved) is completed sequentially from where it
     * stopped, so no row range is skipped. Returns the page count.
     */
    private int restInParallel(SourceRequest request, URI first, Extraction extractor, int step, long total,
                               long deadlineNanos) {
        String startParam = request.source().pagination().startParam();
        List<Long> offsets = new ArrayList<>();
        for (long at = step; at < total; at += step) {
            offsets.add(at);
        }
        return pages(request, offsets.stream().<Callable<Integer>>map(offset -> () -> {
            long want = Math.min(step, total - offset);
            long got = 0;
            int pages = 0;
            while (got < want) {
                Fetched f = page(request, withParam(first, startParam, String.valueOf(offset + got)),
                        extractor, deadlineNanos);
                pages++;
                if (f.rows().isEmpty()) {
                    break;
                }
                List<Object[]> share = f.rows().subList(0, (int) Math.min(f.rows().size(), want - got));
                extractor.out().accept(share);
                got += share.size();
            }
            return pages;
        }).toList());
    }

    private static URI linkNext(List<String> links) {
        return link(links, NEXT);
    }

    private static URI link(List<String> links, Pattern rel) {
        for (String link : links) {
            Matcher m = rel.matcher(link);
            if (m.find()) {
                return URI.create(m.group(1));
            }
        }
        return null;
    }

    /**
     * The pages from {@code next} to {@code last} when the server's two links differ only in one whole-number
     * parameter (GitHub's {@code page}): then every page in between is known after the first and all are
     * fetched at once (the source's concurrency cap still applies) instead of one round trip after another.
     * The links are used as given (e.g. GitHub's switch to {@code /repositories/{id}/...}); only that one
     * number changes. Empty when the links do not have that shape.
     */
    static List<URI> numberedPages(URI next, URI last) {
        if (next == null || last == null || !next.getRawPath().equals(last.getRawPath())
                || !java.util.Objects.equals(next.getRawAuthority(), last.getRawAuthority())) {
            return List.of();
        }
        Map<String, String> a = params(next);
        Map<String, String> b = params(last);
        if (a == null || b == null || !a.keySet().equals(b.keySet())) {
            return List.of();
        }
        String counter = null;
        for (String name : a.keySet()) {
            if (!a.get(name).equals(b.get(name))) {
                if (counter != null) {
                    return List.of();
                }
                counter = name;
            }
        }
        if (counter == null || !a.get(counter).matches("\\d{1,6}") || !b.get(counter).matches("\\d{1,6}")) {
            return List.of();
        }
        int from = Integer.parseInt(a.get(counter));
        int to = Integer.parseInt(b.get(counter));
        if (to < from) {
            return List.of();
        }
        List<URI> out = new ArrayList<>();
        for (int page = from; page <= to; page++) {
            out.add(page == from ? next : withParam(next, java.net.URLDecoder.decode(counter, StandardCharsets.UTF_8),
                    String.valueOf(page)));
        }
        return out;
    }

    /** Raw query parameters by raw name; null when a name repeats (then the shape is not simple enough). */
    private static Map<String, String> params(URI uri) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String part : (uri.getRawQuery() == null ? "" : uri.getRawQuery()).split("&")) {
            if (!part.isEmpty()) {
                int eq = part.indexOf('=');
                if (out.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1)) != null) {
                    return null;
                }
            }
        }
        return out;
    }

    /** The whole-number value of a query parameter, 0 when absent. */
    private static long offsetOf(URI uri, String param) {
        Map<String, String> p = params(uri);
        String v = p == null ? null : p.get(java.net.URLEncoder.encode(param, StandardCharsets.UTF_8));
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static URI tokenNext(SourceDef source, JsonNode body, URI current) {
        JsonNode last = body.get(source.pagination().lastField());
        JsonNode token = JsonRows.at(body, JsonRows.path(source.pagination().tokenField()));
        if ((last != null && last.asBoolean()) || token == null || token.isNull() || token.asText().isEmpty()) {
            return null;
        }
        URI next = withParam(current, source.pagination().tokenParam(), token.asText());
        // A server repeating the cursor it was sent would be followed forever.
        return next.equals(current) ? null : next;
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

    private static QueryException malformed(SourceDef source, URI uri, String why) {
        return new QueryException(ErrorCode.SOURCE_ERROR, "source " + source.name() + " sent malformed JSON for "
                + uri.getPath() + ": " + why, Map.of("source", source.name()));
    }
}
