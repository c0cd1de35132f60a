package io.omnisql.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.error.TraceIds;

/**
 * The error vocabulary for what Helidon answers itself (malformed prologues and headers, bad chunk framing,
 * bodies over the declared-length cap) and for anything a route lets escape: always the documented JSON with a
 * trace id, never Helidon's plain text, which can echo the request back as a hex dump.
 */
public final class ProtocolErrors {
    /** Request bodies above this are refused: from Content-Length before reading, or while reading chunks. */
    public static final long MAX_BODY_BYTES = 1 << 20;
    private final FailureLog failures = new FailureLog();

    /** Handlers for every protocol event Helidon answers without reaching a route. */
    public DirectHandlers directHandlers() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        DirectHandler handler = new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                            io.helidon.http.ServerResponseHeaders headers, Throwable cause) {
                return direct(type, status, headers, cause);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                            io.helidon.http.ServerResponseHeaders headers, Throwable cause,
                                            System.Logger logger) {
                return direct(type, status, headers, cause);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                            io.helidon.http.ServerResponseHeaders headers, String message) {
                return direct(type, status, headers, new IllegalStateException(message));
            }
        };
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            b.addHandler(type, handler);
        }
        return b.build();
    }

    /**
     * Whether a failure Helidon reports as internal happened while it read the request's bytes (a prologue or
     * header it could not decode, such as non-ASCII garbage): the client's fault, a 400, not a bug.
     */
    private static boolean readingRequest(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement f : t.getStackTrace()) {
                String c = f.getClassName();
                if (c.startsWith("io.helidon.webserver.http1.Http1Prologue") || c.startsWith("io.helidon.webserver.http1.Http1Headers")
                        || c.startsWith("io.helidon.common.buffers.DataReader") || c.startsWith("io.helidon.http.Http1HeadersParser")
                        || f.getMethodName().equals("readNextChunk") || f.getMethodName().equals("readLengthEntity")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Exceptions that escape any route (including the demo issuer's and the metrics endpoint's). */
    public void register(HttpRouting.Builder routing) {
        routing.error(RequestException.class, (req, res, e) -> QueryRoutes.fail(res, of(e), TraceIds.random()));
        routing.error(RuntimeException.class, (req, res, e) -> {
            String traceId = TraceIds.random();
            failures.failure(traceId, req.prologue().method().text() + " " + req.path().path() + " failed", e);
            QueryRoutes.fail(res, internal(traceId), traceId);
        });
    }

    FailureLog failures() {
        return failures;
    }

    static QueryException internal(String traceId) {
        return new QueryException(ErrorCode.INTERNAL, "internal error; see the gateway log for trace " + traceId);
    }

    private DirectHandler.TransportResponse direct(DirectHandler.EventType type, Status status,
                                                   io.helidon.http.ServerResponseHeaders headers, Throwable cause) {
        String traceId = TraceIds.random();
        QueryException e;
        if (status.code() >= 500 && readingRequest(cause)) {
            e = new QueryException(ErrorCode.BAD_REQUEST, "malformed HTTP request: the request line or headers could not be read");
        } else {
            e = of(status, cause instanceof RequestException r ? r.getMessage() : null);
            if (e.code() == ErrorCode.INTERNAL) {
                failures.failure(traceId, "protocol handling failed: " + type, cause);
            }
        }
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        headers.remove(HeaderNames.CONTENT_LENGTH);
        return DirectHandler.TransportResponse.builder()
                .status(Status.create(e.code().status()))
                .headers(headers)
                .keepAlive(false)
                .entity(ApiError.body(e, traceId))
                .build();
    }

    private static final String CHUNKS = " (chunk sizes must be bare hex; chunk extensions such as \"5;name=value\" "
            + "are not accepted by this server: send Content-Length or plain chunks)";

    static QueryException badChunk() {
        return new QueryException(ErrorCode.BAD_REQUEST, "malformed chunked body" + CHUNKS);
    }

    /** A Helidon refusal as our error: its status decides the code; its message (which may echo input) is dropped. */
    static QueryException of(RequestException e) {
        return of(e.status(), e.getMessage());
    }

    private static QueryException of(Status status) {
        return of(status, null);
    }

    private static QueryException of(Status status, String helidonMessage) {
        int code = status.code();
        if (code == 413) {
            return new QueryException(ErrorCode.PAYLOAD_TOO_LARGE, "request body larger than " + MAX_BODY_BYTES
                    + " bytes (decided from Content-Length before reading, or while reading a chunked body)");
        }
        if (code == 404) {
            return new QueryException(ErrorCode.NOT_FOUND, "no such resource");
        }
        if (code == 405) {
            return new QueryException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed");
        }
        if (code >= 500) {
            return new QueryException(ErrorCode.INTERNAL, "the server could not process the request");
        }
        // Helidon's own words only when they cannot carry request bytes back (its hex dumps can).
        String reason = helidonMessage != null && helidonMessage.matches("[A-Za-z ,.'-]{1,80}") ? ": " + helidonMessage : "";
        String chunks = "Chunk size is invalid".equals(helidonMessage) ? CHUNKS : "";
        return new QueryException(ErrorCode.BAD_REQUEST, "malformed HTTP request (" + code + " " + status.reasonPhrase()
                + ")" + reason + chunks);
    }
}
