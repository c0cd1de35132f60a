package io.omnisql.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.error.TraceIds;
import io.omnisql.exec.QueryResult;
import io.omnisql.gateway.JoinChoice;
import io.omnisql.gateway.QueryAnswer;
import io.omnisql.gateway.QueryHandle;
import io.omnisql.gateway.QueryRequest;
import io.omnisql.gateway.QueryService;
import io.omnisql.gateway.SourceReport;
import io.omnisql.identity.Authenticator;
import io.omnisql.identity.Principal;
import io.omnisql.policy.CatalogView;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.observe.Metrics;
import io.omnisql.observe.QueryLog;
import io.omnisql.observe.RequestTrace;
import io.omnisql.observe.Span;
import io.omnisql.observe.Telemetry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The API, mounted under {@value #API} ({@link #routing(HttpRules)} is its map: query, explain, catalog, queries),
 * beside {@code /health}, and JSON errors for the rest.
 */
public final class QueryRoutes implements HttpService {
    /** Where the API is mounted; its routes are relative to it. */
    public static final String API = "/v1";
    /** Marks, in a request's context, a request no route matched (the fallback answered it). */
    private static final String UNMATCHED = "omnisql.unmatched";
    /** The console's own paths share one label, except its config document. */
    private static final String CONSOLE = "/console";

    private static final Set<String> FIELDS = Set.of("sql", "max_staleness_ms", "timeout_ms", "allow_stale", "async");
    private static final io.helidon.http.HeaderName PREFER = HeaderNames.create("Prefer");
    private final Authenticator authenticator;
    private static final io.helidon.http.HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private final QueryService queries;
    private final Telemetry telemetry;
    private final RateLimiter limiter;
    private final CatalogView catalog;
    /** More of /health: the configuration version and digest, the cluster's state. */
    private volatile Supplier<Map<String, Object>> healthDetails = Map::of;
    private final FailureLog failures;
    /** Serialised rows of cached results (the result cache holds up to 64 MB of results). */
    private final ResultJson results = new ResultJson(64L << 20);
    /** Cancels a synchronous query whose client has disconnected; checked every 250 ms while it runs. */
    private final ClientConnections clients = new ClientConnections(250);

    /**
     * @param limiter every /v1/query and /v1/explain takes a token of its principal's gateway bucket
     * @param catalog what {@code GET /v1/catalog} shows each principal
     */
    public QueryRoutes(Authenticator authenticator, QueryService queries, Telemetry telemetry, RateLimiter limiter,
                       CatalogView catalog, ProtocolErrors protocol) {
        this.failures = protocol.failures();
        this.authenticator = authenticator;
        this.queries = queries;
        this.telemetry = telemetry;
        this.limiter = limiter;
        this.catalog = catalog;
    }

    /** Adds {@code details}' current fields to every /health answer (after {@code status}). */
    public void healthDetails(Supplier<Map<String, Object>> details) {
        this.healthDetails = details;
    }

    /** {@code /health} and the API under {@value #API}. */
    public void register(HttpRouting.Builder routing) {
        routing.register(API, this);
        routing.get("/health", (req, res) -> send(res, 200, Json.write(g -> {
                    g.writeStartObject();
                    g.writeStringField("status", "UP");
                    for (Map.Entry<String, Object> e : healthDetails.get().entrySet()) {
                        g.writeFieldName(e.getKey());
                        Json.value(g, e.getValue());
                    }
                    g.writeEndObject();
                })));
    }

    /** The API's map, relative to {@value #API}; each of these requests is counted by its request trace. */
    @Override
    public void routing(HttpRules rules) {
        rules.post("/query", (req, res) -> handle(req, res, false))
                .post("/explain", (req, res) -> handle(req, res, true))
                .get("/catalog", this::catalog)
                .get("/queries", this::listQueries)
                .get("/queries/{id}", this::showQuery)
                .delete("/queries/{id}", this::cancelQuery)
                .any("/queries", (req, res) -> methodNotAllowed(res, "GET"))
                .any("/queries/{id}", (req, res) -> methodNotAllowed(res, "GET, DELETE"))
                .any("/query", (req, res) -> methodNotAllowed(res, "POST"))
                .any("/explain", (req, res) -> methodNotAllowed(res, "POST"))
                .any("/catalog", (req, res) -> methodNotAllowed(res, "GET"));
    }

    /** Registered last: unknown paths answer in the error vocabulary, not Helidon's plain text. */
    public void registerFallback(HttpRouting.Builder routing) {
        routing.any((req, res) -> {
            req.context().register(UNMATCHED, Boolean.TRUE);
            fail(res, new QueryException(ErrorCode.NOT_FOUND,
                    "no route for " + req.prologue().method().text() + " " + printable(req.path().path())), TraceIds.random());
        });
    }

    /**
     * The bounded route label of an answered request for http_requests_total: "unmatched" when no route took it,
     * null under {@value #API} (counted by its request trace, with its error code), {@value #CONSOLE} for the
     * console's pages and assets (bar /console/config.json), else its path (a fixed route).
     */
    public static String routeLabel(ServerRequest req) {
        if (req.context().get(UNMATCHED, Boolean.class).orElse(false)) {
            return "unmatched";
        }
        String path = req.path().path();
        if (path.startsWith(API + "/")) {
            return null;
        }
        if (path.startsWith(CONSOLE) && !path.equals(CONSOLE + "/config.json")) {
            return CONSOLE;
        }
        return path;
    }

    /** At most 200 characters of a path, without control characters: it is echoed in an error message. */
    private static String printable(String path) {
        String clean = path.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() <= 200 ? clean : clean.substring(0, 200) + "...";
    }

    static void methodNotAllowed(ServerResponse res, String method) {
        res.header(HeaderNames.ALLOW, method);
        fail(res, new QueryException(ErrorCode.METHOD_NOT_ALLOWED, "use " + method), TraceIds.random());
    }

    /** The tables and columns the caller may read, with types, masking and the operators sources accept. */
    private void catalog(ServerRequest req, ServerResponse res) {
        authenticated(req, res, "/v1/catalog", principal -> {
            CatalogView.View view = catalog.view(principal);
            return Json.write(g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("tables");
                for (CatalogView.VisibleTable t : view.tables()) {
                    g.writeStartObject();
                    g.writeStringField("name", t.name());
                    g.writeStringField("description", t.description());
                    g.writeBooleanField("row_filtered", t.rowFiltered());
                    g.writeArrayFieldStart("columns");
                    for (CatalogView.VisibleColumn c : t.columns()) {
                        g.writeStartObject();
                        g.writeStringField("name", c.name());
                        g.writeStringField("type", c.type());
                        g.writeStringField("description", c.description());
                        g.writeBooleanField("masked", c.masked());
                        g.writeFieldName("pushdown");
                        Json.value(g, c.pushdown());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    CatalogView.TableRules rules = view.rules().get(t.name());
                    g.writeFieldName("denied_columns");
                    Json.value(g, rules.deniedColumns());
                    g.writeFieldName("policies");
                    Json.value(g, rules.policies());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("denied_tables");
                for (CatalogView.DeniedTable d : view.denied()) {
                    g.writeStartObject();
                    g.writeStringField("name", d.name());
                    g.writeStringField("rule", d.rule());
                    g.writeStringField("message", d.message());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /**
     * Writes the answer. Callers record the request's span and metrics first, so a client that has its answer
     * can already see them.
     */
    private static void reply(ServerResponse res, byte[] body, QueryException failure, String traceId) {
        if (failure != null) {
            fail(res, failure, traceId);
        } else {
            send(res, 200, body);
        }
    }

    private void handle(ServerRequest req, ServerResponse res, boolean explain) {
        long start = System.nanoTime();
        RequestTrace trace = telemetry.startRequest("POST", explain ? "/v1/explain" : "/v1/query",
                name -> req.headers().first(HeaderNames.create(name)).orElse(null));
        String traceId = trace.traceId();
        res.header(TRACEPARENT, trace.traceparent());
        if (!explain) {
            telemetry.metrics().queryStarted();
        }
        Principal principal = null;
        QueryAnswer answer = null;
        QueryHandle handle = null;
        byte[] body = null;
        QueryException failure = null;
        try {
            try (Span span = trace.child("authenticate", Map.of())) {
                principal = authenticate(req, span);
            }
            limiter.acquireGateway(principal);
            Parsed parsed = parse(req);
            QueryRequest request = parsed.request();
            if (explain) {
                body = explainBody(queries.explain(principal, request), queries.spend(principal, request),
                        queries.joinPushdown(principal, request), queries.planWarnings(request), traceId);
            } else if (parsed.async() || req.headers().first(PREFER).map(p -> p.contains("respond-async")).orElse(false)) {
                String subject = principal.subject();
                QueryHandle submitted = queries.submit(principal, request, trace,
                        ended -> ended(ended, traceId, subject, start));
                trace.end(202, null);
                send(res.header(HeaderNames.LOCATION, "/v1/queries/" + submitted.id()), 202, Json.write(g -> {
                    g.writeStartObject();
                    g.writeStringField("id", submitted.id());
                    g.writeStringField("state", submitted.state().label());
                    g.writeStringField("next_uri", "/v1/queries/" + submitted.id());
                    g.writeStringField("trace_id", traceId);
                    g.writeEndObject();
                }));
                return;
            } else {
                handle = queries.register(principal, request);
                QueryHandle running = handle;
                // A client that disconnects cancels its query (counted and logged as any cancellation).
                try (ClientConnections.Watch watch = clients.watch(req.localPeer().port(), req.remotePeer().port(),
                        running::cancel)) {
                    answer = queries.query(principal, request, trace, handle);
                }
                body = answerBody(answer, traceId, (System.nanoTime() - start) / 1_000_000);
            }
        } catch (QueryException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = internal(traceId, e);
        }
        if (failure != null) {
            countRefusal(failure);
        }
        ErrorCode error = failure == null ? null : failure.code();
        trace.end(failure == null ? 200 : error.status(), error);
        long elapsed = System.nanoTime() - start;
        if (!explain) {
            telemetry.metrics().queryFinished(elapsed, error);
        }
        reply(res, body, failure, traceId);
        if (!explain) {
            // The log line is console I/O under a lock: written after the answer, off the caller's latency.
            telemetry.queryLog().record(new QueryLog.Entry(traceId, principal == null ? null : principal.subject(),
                    answer == null ? List.of() : answer.sources().stream().map(s -> new QueryLog.TableRead(s.table(),
                            s.source(), s.cache(), s.rows())).toList(),
                    answer == null ? 0 : answer.result().rows().size(), elapsed, error,
                    handle == null ? 0 : handle.snapshot().queueMs() * 1_000_000));
        }
    }

    /** An async query has ended: count it and log it as the synchronous path does once it has answered. */
    private void ended(QueryHandle handle, String traceId, String subject, long start) {
        QueryHandle.View v = handle.snapshot();
        ErrorCode error = v.failure() == null ? null : v.failure().code();
        if (v.failure() != null) {
            countRefusal(v.failure());
        }
        long elapsed = System.nanoTime() - start;
        telemetry.metrics().queryFinished(elapsed, error);
        QueryAnswer answer = v.answer();
        telemetry.queryLog().record(new QueryLog.Entry(traceId, subject,
                answer == null ? List.of() : answer.sources().stream().map(s -> new QueryLog.TableRead(s.table(),
                        s.source(), s.cache(), s.rows())).toList(),
                answer == null ? 0 : answer.result().rows().size(), elapsed, error, v.queueMs() * 1_000_000));
    }

    /** {@code GET /v1/queries}: the caller's queries (everyone's for the admin role), newest first, without answers. */
    private void listQueries(ServerRequest req, ServerResponse res) {
        authenticated(req, res, "/v1/queries", principal -> {
            List<QueryHandle.View> views = queries.queries(principal);
            return Json.write(g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("queries");
                for (QueryHandle.View v : views) {
                    writeView(g, v, null);
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /** {@code GET /v1/queries/{id}}: state, progress, and the answer (or error) once ended. */
    private void showQuery(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        authenticated(req, res, "/v1/queries/{id}", principal -> {
            QueryHandle.View v = queries.find(id, principal).snapshot();
            return Json.write(g -> writeView(g, v, v.answer() == null ? null
                    : answerBody(v.answer(), null, v.elapsedMs())));
        });
    }

    /** {@code DELETE /v1/queries/{id}}: cancels; answers the query's state (cancelled, or how it already ended). */
    private void cancelQuery(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        authenticated(req, res, "/v1/queries/{id}", principal -> {
            QueryHandle h = queries.find(id, principal);
            h.cancel();
            QueryHandle.View v = awaitEnd(h);
            return Json.write(g -> writeView(g, v, null));
        });
    }

    /** Waits briefly for a cancelled query to unwind, so the answer can say it has stopped. */
    private static QueryHandle.View awaitEnd(QueryHandle h) {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        QueryHandle.View v = h.snapshot();
        while (!v.state().done() && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            v = h.snapshot();
        }
        return v;
    }

    /** The frame of the GET/DELETE routes (/v1/catalog, /v1/queries): trace, authentication, JSON errors. */
    private void authenticated(ServerRequest req, ServerResponse res, String route,
                           java.util.function.Function<Principal, byte[]> work) {
        RequestTrace trace = telemetry.startRequest(req.prologue().method().text(), route,
                name -> req.headers().first(HeaderNames.create(name)).orElse(null));
        String traceId = trace.traceId();
        res.header(TRACEPARENT, trace.traceparent());
        byte[] body = null;
        QueryException failure = null;
        try {
            Principal principal;
            try (Span span = trace.child("authenticate", Map.of())) {
                principal = authenticate(req, span);
            }
            body = work.apply(principal);
        } catch (QueryException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = internal(traceId, e);
        }
        trace.end(failure == null ? 200 : failure.code().status(), failure == null ? null : failure.code());
        reply(res, body, failure, traceId);
    }

    private static void writeView(com.fasterxml.jackson.core.JsonGenerator g, QueryHandle.View v, byte[] answer)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("id", v.id());
        g.writeStringField("state", v.state().label());
        g.writeStringField("subject", v.subject());
        g.writeStringField("sql", v.sql());
        g.writeBooleanField("async", v.async());
        g.writeStringField("submitted_at", v.submittedAt().toString());
        g.writeNumberField("elapsed_ms", v.elapsedMs());
        g.writeNumberField("queue_ms", v.queueMs());
        g.writeStringField("lane", v.lane() == null ? null : v.lane().label());
        g.writeArrayFieldStart("sources");
        for (QueryHandle.SourceProgress p : v.sources()) {
            g.writeStartObject();
            g.writeStringField("table", p.table());
            g.writeStringField("source", p.source());
            g.writeNumberField("pages", p.pages());
            g.writeNumberField("rows", p.rows());
            g.writeNumberField("upstream_ms", Math.round(p.upstreamNanos() / 1_000.0) / 1_000.0);
            g.writeEndObject();
        }
        g.writeEndArray();
        if (!v.state().done()) {
            g.writeStringField("next_uri", "/v1/queries/" + v.id());
        }
        if (answer != null) {
            g.writeFieldName("answer");
            g.writeRawValue(new String(answer, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (v.failure() != null) {
            g.writeFieldName("error");
            ApiError.write(g, v.failure(), null);
        }
        g.writeEndObject();
    }

    /** A bug: logged under the trace id (the stack once per distinct failure), answered without internals. */
    private QueryException internal(String traceId, RuntimeException e) {
        failures.failure(traceId, "unexpected failure", e);
        return ProtocolErrors.internal(traceId);
    }

    private Principal authenticate(ServerRequest req, Span span) {
        try {
            return authenticator.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
        } catch (QueryException e) {
            span.fail(e.code().name());
            throw e;
        }
    }

    private void countRefusal(QueryException e) {
        if (e.code() == ErrorCode.RATE_LIMIT_EXHAUSTED) {
            Object source = e.details().get("source");
            telemetry.metrics().rateLimitRefusal(source == null ? Metrics.RefusalKind.GATEWAY : Metrics.RefusalKind.SOURCE,
                    source == null ? null : source.toString());
        }
    }

    private static byte[] explainBody(List<SourceReport> plan, QueryService.Spend spend, List<JoinChoice> joins,
                                      List<String> warnings, String traceId) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("trace_id", traceId);
            g.writeArrayFieldStart("tables");
            for (SourceReport s : plan) {
                writeSource(g, s, true);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("upstream_requests");
            for (QueryService.TableSpend t : spend.tables()) {
                g.writeStartObject();
                g.writeStringField("table", t.table());
                g.writeStringField("alias", t.alias());
                g.writeStringField("source", t.source());
                g.writeNumberField("requests", t.requests());
                g.writeStringField("basis", t.basis());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("join_pushdown");
            for (JoinChoice j : joins) {
                g.writeStartObject();
                g.writeStringField("seed", j.seedAlias());
                g.writeStringField("seed_column", j.seedColumn());
                g.writeStringField("target", j.targetAlias());
                g.writeStringField("target_column", j.targetColumn());
                g.writeStringField("choice", j.choice());
                g.writeNumberField("full_scan_requests", j.fullRequests());
                countOrNull(g, "pushed_requests", j.pushedRequests());
                countOrNull(g, "keys", j.keys());
                g.writeStringField("reason", j.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("budgets");
            for (QueryService.SourceBudget b : spend.budgets()) {
                g.writeStartObject();
                g.writeStringField("source", b.source());
                g.writeNumberField("requests", b.requests());
                countOrNull(g, "principal_left", b.principalLeft());
                g.writeNumberField("source_left", b.sourceLeft());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("warnings");
            Json.value(g, warnings);
            g.writeEndObject();
        });
    }

    /** A count explain may not know yet (negative): written as null. */
    private static void countOrNull(com.fasterxml.jackson.core.JsonGenerator g, String name, long value) throws IOException {
        if (value < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }

    /** A parsed body: the query and whether it should run in the background. */
    private record Parsed(QueryRequest request, boolean async) {
    }

    /** Exactly {@code length} bytes (the Content-Length), or what came before the stream ended. */
    private static byte[] readDeclared(java.io.InputStream in, int length) throws IOException {
        byte[] body = new byte[length];
        int n = in.readNBytes(body, 0, length);
        return n == length ? body : java.util.Arrays.copyOf(body, n);
    }

    private static Parsed parse(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > ProtocolErrors.MAX_BODY_BYTES) {
            // Helidon refuses these before routing (max-payload-size); kept for servers built without it.
            throw new QueryException(ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + ProtocolErrors.MAX_BODY_BYTES + " bytes");
        }
        if (!req.content().hasEntity() || declared == 0) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "empty body: send a JSON object like {\"sql\": \"SELECT ...\"}");
        }
        byte[] body;
        try (java.io.InputStream in = req.content().inputStream()) {
            // Read directly (no media-support lookup), into an array of the declared size when there is one; one
            // byte past the limit tells a chunked body that is too long.
            body = declared > 0 ? readDeclared(in, (int) declared) : in.readNBytes((int) ProtocolErrors.MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "unreadable body: " + e.getMessage());
        } catch (RequestException e) {
            throw ProtocolErrors.of(e);
        } catch (IllegalArgumentException e) {
            // Helidon 4.1.2 reads chunk sizes with Integer.parseUnsignedInt: "5;name=value" lands here.
            throw ProtocolErrors.badChunk();
        }
        if (body.length == 0) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "empty body: send a JSON object like {\"sql\": \"SELECT ...\"}");
        }
        if (body.length > ProtocolErrors.MAX_BODY_BYTES) {
            throw new QueryException(ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + ProtocolErrors.MAX_BODY_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "unreadable body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "body must be a JSON object like {\"sql\": \"SELECT ...\"}");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new QueryException(ErrorCode.BAD_REQUEST, "unknown field \"" + f + "\" (accepted: sql, max_staleness_ms, timeout_ms, allow_stale, async)");
            }
        });
        JsonNode sql = node.get("sql");
        if (sql == null || !sql.isTextual()) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"sql\" must be a string");
        }
        JsonNode stale = node.get("allow_stale");
        if (stale != null && !stale.isBoolean()) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"allow_stale\" must be true or false");
        }
        JsonNode async = node.get("async");
        if (async != null && !async.isBoolean()) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"async\" must be true or false");
        }
        return new Parsed(new QueryRequest(sql.asText(), wholeNumber(node, "max_staleness_ms"), wholeNumber(node, "timeout_ms"),
                stale != null && stale.asBoolean()), async != null && async.asBoolean());
    }

    private static Long wholeNumber(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"" + field + "\" must be a whole number of milliseconds");
        }
        return v.asLong();
    }

    private byte[] answerBody(QueryAnswer answer, String traceId, long elapsedMs) {
        QueryResult r = answer.result();
        return results.answer(r, g -> {
            g.writeStartObject();
            if (traceId != null) {
                g.writeStringField("trace_id", traceId);
            }
            g.writeNumberField("freshness_ms", answer.freshnessMs());
            g.writeNumberField("elapsed_ms", elapsedMs);
            g.writeNumberField("row_count", r.rows().size());
            g.writeBooleanField("truncated", r.truncated());
            g.writeArrayFieldStart("sources");
            for (SourceReport s : answer.sources()) {
                writeSource(g, s, false);
            }
            g.writeEndArray();
            g.writeFieldName("warnings");
            Json.value(g, answer.warnings());
            g.writeFieldName("policies");
            Json.value(g, answer.policies());
            g.writeEndObject();
        });
    }

    private static void writeSource(com.fasterxml.jackson.core.JsonGenerator g, SourceReport s, boolean explain) throws IOException {
        g.writeStartObject();
        g.writeStringField("table", s.table());
        g.writeStringField("alias", s.alias());
        if (!explain) {
            g.writeStringField("cache", s.cache().label());
            g.writeNumberField("rows", s.rows());
            g.writeNumberField("pages", s.pages());
            g.writeNumberField("fetch_ms", s.fetchMs());
            g.writeNumberField("age_ms", s.ageMs());
        }
        g.writeFieldName("pushed_filters");
        Json.value(g, s.pushedFilters());
        g.writeFieldName("residual_filters");
        Json.value(g, s.residualFilters());
        g.writeFieldName("columns");
        Json.value(g, s.columns());
        if (explain) {
            g.writeFieldName("requests");
            Json.value(g, s.requests());
        }
        g.writeEndObject();
    }

    static void send(ServerResponse res, int status, byte[] body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    static void fail(ServerResponse res, QueryException e, String traceId) {
        if (e.code() == ErrorCode.UNAUTHENTICATED) {
            res.header(HeaderNames.WWW_AUTHENTICATE, Authenticator.challenge(e));
        }
        if (e.details().get("retry_after_ms") instanceof Number ms) {
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(RateLimiter.retryAfterSeconds(ms.longValue())));
        }
        send(res, e.code().status(), ApiError.body(e, traceId));
    }
}
