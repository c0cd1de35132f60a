package io.omnisql.observe;

import io.omnisql.cache.CacheOutcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.error.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class QueryLogTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-03-01T12:00:00Z"));

    private final Logger logger = Logger.getLogger(QueryLog.LOGGER_NAME);
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void attach() {
        logger.addHandler(capture);
    }

    @AfterEach
    void detach() {
        logger.removeHandler(capture);
    }

    @Test
    void oneJsonObjectPerQueryWithTablesCacheOutcomesRowsAndLatency() throws Exception {
        try (Telemetry telemetry = Telemetry.create(ObservabilitySettings.defaults(), CLOCK)) {
            telemetry.queryLog().record(new QueryLog.Entry("4bf92f3577b34da6a3ce929d0e0e4736", "alice",
                    List.of(new QueryLog.TableRead("github.issues", "github", CacheOutcome.HIT, 120),
                            new QueryLog.TableRead("jira.issues", "jira", CacheOutcome.COALESCED, 8)),
                    17, 12_345_678L, null));
        }
        assertThat(records).hasSize(1);
        assertThat(records.getFirst().getMessage()).doesNotContain("\n");
        JsonNode line = new ObjectMapper().readTree(records.getFirst().getMessage());
        assertThat(line.get("ts").asText()).isEqualTo("2026-03-01T12:00:00Z");
        assertThat(line.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(line.get("subject").asText()).isEqualTo("alice");
        assertThat(line.get("tables")).hasSize(2);
        assertThat(line.get("tables").get(0).get("table").asText()).isEqualTo("github.issues");
        assertThat(line.get("tables").get(0).get("cache").asText()).isEqualTo("hit");
        assertThat(line.get("tables").get(0).get("rows").asLong()).isEqualTo(120);
        assertThat(line.get("tables").get(1).get("cache").asText()).isEqualTo("coalesced");
        assertThat(line.get("rows").asLong()).isEqualTo(17);
        assertThat(line.get("latency_ms").asDouble()).isEqualTo(12.346);
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("error").isNull()).isTrue();
    }

    @Test
    void failedQueryCarriesItsErrorCodeAndStatus() throws Exception {
        try (Telemetry telemetry = Telemetry.create(ObservabilitySettings.defaults(), CLOCK)) {
            telemetry.queryLog().record(new QueryLog.Entry("4bf92f3577b34da6a3ce929d0e0e4736", null, List.of(), 0,
                                                           1_000_000L, ErrorCode.UNAUTHENTICATED));
        }
        JsonNode line = new ObjectMapper().readTree(records.getFirst().getMessage());
        assertThat(line.get("subject").isNull()).isTrue();
        assertThat(line.get("status").asInt()).isEqualTo(401);
        assertThat(line.get("error").asText()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void disabledQueryLogWritesNothing() {
        ObservabilitySettings off = new ObservabilitySettings(ObservabilitySettings.defaults().tracing(), false);
        try (Telemetry telemetry = Telemetry.create(off, CLOCK)) {
            telemetry.queryLog().record(new QueryLog.Entry("4bf92f3577b34da6a3ce929d0e0e4736", "alice", List.of(), 0, 1, null));
        }
        assertThat(records).isEmpty();
    }

    @Test
    void linesRecordedFromManyThreadsAreEachWrittenOnceAndAllWrittenByClose() throws Exception {
        int threads = 8;
        int each = 500;
        try (Telemetry telemetry = Telemetry.create(ObservabilitySettings.defaults(), CLOCK)) {
            List<Thread> started = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                started.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        telemetry.queryLog().record(new QueryLog.Entry("%032x".formatted(thread * 100_000 + i), "alice",
                                List.of(), 0, 1, null));
                    }
                }));
            }
            for (Thread t : started) {
                t.join();
            }
        }
        List<String> traceIds = records.stream().map(r -> (LogContext.of(r)).traceId()).toList();
        assertThat(traceIds).hasSize(threads * each).doesNotHaveDuplicates();
    }

    @Test
    void quotesAndLineBreaksInASubjectStayInsideOneValidJsonLine() throws Exception {
        try (Telemetry telemetry = Telemetry.create(ObservabilitySettings.defaults(), CLOCK)) {
            telemetry.queryLog().record(new QueryLog.Entry("4bf92f3577b34da6a3ce929d0e0e4736", "eve\"}\n{\"forged\":1",
                    List.of(), 0, 1, null));
        }
        String message = records.getFirst().getMessage();
        assertThat(message).doesNotContain("\n");
        JsonNode line = new ObjectMapper().readTree(message);
        assertThat(line.get("subject").asText()).isEqualTo("eve\"}\n{\"forged\":1");
        assertThat(line.has("forged")).isFalse();
    }
}
