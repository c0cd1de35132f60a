package io.omnisql.observe;

import java.util.Map;

/**
 * A unit of work inside a request trace. Spans are thread-safe and carry their parent explicitly,
 * so a child may be started, tagged and ended on any thread (fetch virtual threads, DuckDB platform threads).
 */
public interface Span extends AutoCloseable {

    /**
     * Starts a child span. Attribute values may be String, Boolean, integral or floating Number;
     * anything else is recorded as its {@code toString()}.
     */
    Span child(String name, Map<String, Object> attributes);

    /**
     * Records an outgoing call that just finished, took {@code nanos} and ends now, as a CLIENT child span
     * (attributes as for {@link #child}).
     */
    void exchange(String name, Map<String, Object> attributes, long nanos);

    /**
     * The W3C {@code traceparent} naming this span, sent on calls made for it (upstream requests) so a traced
     * upstream joins the trace.
     */
    String traceparent();

    /** Adds or replaces one attribute; same value rules as {@link #child}. */
    Span attribute(String key, Object value);

    /** Marks the span failed with a short bounded code (an ErrorCode name, an upstream status class). */
    Span fail(String errorCode);

    /** Ends the span; later calls do nothing. */
    void end();

    @Override
    default void close() {
        end();
    }
}
