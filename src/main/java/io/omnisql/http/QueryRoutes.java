package io.omnisql.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.QueryResult;
import io.omnisql.gateway.QueryAnswer;
import io.omnisql.gateway.QueryRequest;
import io.omnisql.gateway.QueryService;
import io.omnisql.gateway.SourceReport;
import io.omnisql.identity.Authenticator;
import io.omnisql.identity.Principal;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The routing table: {@code /health}, {@code /v1/query}, {@code /v1/explain}, and JSON errors for the rest. */
public final class QueryRoutes {
    private static final Logger LOG = Logger.getLogger("omnisql.http");
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final Set<String> FIELDS = Set.of("sql", "max_staleness_ms", "timeout_ms", "allow_stale");
    private final Authenticator authenticator;
    private final QueryService queries;
    private final SecureRandom random = new SecureRandom();
    /** Serialised rows of cached results (the result cache holds up to 64 MB of results). */
    private final ResultJson results = new ResultJson(64L << 20);

    public QueryRoutes(Authenticator authenticator, QueryService queries) {
        this.authenticator = authenticator;
        this.queries = queries;
    }

    public void register(HttpRouting.Builder routing) {
        routing.get("/health", (req, res) -> send(res, 200, Json.write(g -> {
                    g.writeStartObject();
                    g.writeStringField("status", "UP");
                    g.writeEndObject();
                })))
                .post("/v1/query", (req, res) -> handle(req, res, false))
                .post("/v1/explain", (req, res) -> handle(req, res, true))
                .any("/v1/query", (req, res) -> methodNotAllowed(res))
                .any("/v1/explain", (req, res) -> methodNotAllowed(res));
    }

    /** Registered last: unknown paths answer in the error vocabulary, not Helidon's plain text. */
    public void registerFallback(HttpRouting.Builder routing) {
        routing.any((req, res) -> fail(res, new QueryException(ErrorCode.NOT_FOUND,
                "no route for " + req.prologue().method().text() + " " + req.path().path()), null));
    }

    private static void methodNotAllowed(ServerResponse res) {
        res.header(HeaderNames.ALLOW, "POST");
        fail(res, new QueryException(ErrorCode.METHOD_NOT_ALLOWED, "use POST"), null);
    }

    private void handle(ServerRequest req, ServerResponse res, boolean explain) {
        String traceId = HexFormat.of().formatHex(bytes(16));
        res.header(HeaderNames.create("traceparent"), "00-" + traceId + "-" + HexFormat.of().formatHex(bytes(8)) + "-01");
        long start = System.nanoTime();
        try {
            Principal principal = authenticator.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
            QueryRequest request = parse(req);
            if (explain) {
                List<SourceReport> plan = queries.explain(principal, request);
                List<String> warnings = queries.planWarnings(request);
                send(res, 200, Json.write(g -> {
                    g.writeStartObject();
                    g.writeStringField("trace_id", traceId);
                    g.writeArrayFieldStart("tables");
                    for (SourceReport s : plan) {
                        writeSource(g, s, true);
                    }
                    g.writeEndArray();
                    g.writeFieldName("warnings");
                    Json.value(g, warnings);
                    g.writeEndObject();
                }));
                return;
            }
            QueryAnswer answer = queries.query(principal, request);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            send(res, 200, answerBody(answer, traceId, elapsed));
        } catch (QueryException e) {
            fail(res, e, traceId);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "trace " + traceId + ": unexpected failure", e);
            fail(res, new QueryException(ErrorCode.INTERNAL, "internal error; see the gateway log for trace " + traceId), traceId);
        }
    }

    private static QueryRequest parse(ServerRequest req) {
        byte[] body = req.content().as(byte[].class);
        if (body.length > MAX_BODY_BYTES) {
            throw new QueryException(ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + MAX_BODY_BYTES + " bytes");
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
                throw new QueryException(ErrorCode.BAD_REQUEST, "unknown field \"" + f + "\" (accepted: sql, max_staleness_ms, timeout_ms, allow_stale)");
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
        return new QueryRequest(sql.asText(), wholeNumber(node, "max_staleness_ms"), wholeNumber(node, "timeout_ms"),
                stale != null && stale.asBoolean());
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
            g.writeStringField("trace_id", traceId);
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
            g.writeStringField("cache", s.cache());
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

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
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
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, (ms.longValue() + 999) / 1000)));
        }
        send(res, e.code().status(), ApiError.body(e, traceId));
    }
}
