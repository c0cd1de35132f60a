package io.omnisql.observe;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 that decodes the official protobuf messages, as a collector would,
 * and keeps every export request with its headers.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One export call: its decoded body and its request headers (lower-case names). */
    public record Export(ExportTraceServiceRequest body, Map<String, List<String>> headers) {
    }

    private final List<Export> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                Map<String, List<String>> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
                received.add(new Export(ExportTraceServiceRequest.parseFrom(in.readAllBytes()), headers));
            }
            byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.start();
    }

    /** {@code http://127.0.0.1:PORT}: what OTEL_EXPORTER_OTLP_ENDPOINT names (the SDK appends /v1/traces). */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The full traces URL, as observability.tracing.endpoint names it. */
    public String tracesUrl() {
        return base() + "/v1/traces";
    }

    public List<Export> exports() {
        return List.copyOf(received);
    }

    public List<ResourceSpans> resourceSpans() {
        return received.stream().flatMap(e -> e.body().getResourceSpansList().stream()).toList();
    }

    public List<Span> spans() {
        return resourceSpans().stream()
                .flatMap(rs -> rs.getScopeSpansList().stream())
                .map(ScopeSpans::getSpansList)
                .flatMap(List::stream)
                .toList();
    }

    /** The spans of one trace (32 hex digits). */
    public List<Span> spans(String traceId) {
        return spans().stream().filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId)).toList();
    }

    public void clear() {
        received.clear();
    }

    public static AnyValue attr(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key))
                .map(KeyValue::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("span " + span.getName() + " lacks attribute " + key
                        + "; has " + span.getAttributesList().stream().map(KeyValue::getKey).toList()));
    }

    public static boolean hasAttr(Span span, String key) {
        return span.getAttributesList().stream().anyMatch(kv -> kv.getKey().equals(key));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
