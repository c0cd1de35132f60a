package io.omnisql.observe;

import io.omnisql.error.ErrorCode;

/** The server span of one HTTP request, the root of the request's work. */
public interface RequestTrace extends Span {

    /** 32 lowercase hex digits; the incoming trace's id when a valid {@code traceparent} arrived. */
    String traceId();

    /** W3C {@code traceparent} naming this request's span, for the response header. */
    String traceparent();

    /**
     * Ends the request span with its answer and counts it in {@code http_requests_total}.
     *
     * @param error the error answered, or null on success
     */
    void end(int status, ErrorCode error);

    /** Ends as {@code 500 INTERNAL} unless {@link #end(int, ErrorCode)} already ran: a safety net for try-with-resources. */
    @Override
    void end();
}
