package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.sim.SimulatorSettings;
import io.omnisql.sim.Simulators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hooks the gateway wires into metrics and traces: one call per exchange, and upstream quota remaining. */
class ConnectorListenersTest {
    private record Seen(String source, String table, String path, int status, int rows) {
    }

    private static Simulators sims;
    private static ConfigStore config;
    private static HttpConnector connector;
    private static final List<Seen> pages = new CopyOnWriteArrayList<>();
    private static final List<Long> remaining = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        sims = Simulators.start(SimulatorSettings.fromMap(Map.of("github", Map.of("pull_requests", 300,
                "faults", Map.of("ratelimit_limit", 100)))));
        config = ConfigStore.open(Path.of(""));
        RateLimiter limiter = RateLimiter.create(RateLimitSettings.fromYaml(Files.readString(Path.of("ratelimits.yaml"))));
        connector = new HttpConnector(s -> sims.githubBaseUrl(), name -> null, limiter);
        connector.pageListener((source, table, uri, status, rows, nanos) ->
                pages.add(new Seen(source, table, uri.getPath(), status, rows)));
        connector.onRateLimit((source, left) -> remaining.add(left));
    }

    @AfterAll
    static void stop() {
        config.close();
        sims.close();
    }

    private static SourceRequest request() {
        Catalog catalog = config.current().catalog();
        Catalog.TableDef table = catalog.table("github.pull_requests").orElseThrow();
        Catalog.SourceDef source = catalog.sources().get("github");
        return RequestBuilder.build(table, source, sims.githubBaseUrl(), Set.of("pr_id", "title"), List.of());
    }

    @Test
    void everyPageIsReportedAndUnchangedPagesAre304sThatCostNoQuota() {
        pages.clear();
        remaining.clear();
        List<Object[]> firstRows = new CopyOnWriteArrayList<>();
        FetchResult first = connector.fetch(request(), System.nanoTime() + 10_000_000_000L, PageListener.NONE, firstRows::addAll);
        assertThat(firstRows).hasSize(300);
        assertThat(first.rows()).isEqualTo(300);
        assertThat(pages).hasSize(first.pages()).allMatch(p -> p.status() == 200 && p.source().equals("github")
                && p.table().equals("github.pull_requests") && p.path().endsWith("/pulls"));
        assertThat(pages.stream().mapToInt(Seen::rows).sum()).isEqualTo(300);
        assertThat(remaining).hasSize(first.pages());
        long lowest = remaining.stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(lowest).isEqualTo(100 - first.pages());

        pages.clear();
        remaining.clear();
        List<Object[]> secondRows = new CopyOnWriteArrayList<>();
        FetchResult second = connector.fetch(request(), System.nanoTime() + 10_000_000_000L, PageListener.NONE, secondRows::addAll);
        assertThat(secondRows).hasSize(300);
        assertThat(pages).hasSize(second.pages()).allMatch(p -> p.status() == 304);
        assertThat(remaining).allMatch(left -> left >= lowest);
    }
}
