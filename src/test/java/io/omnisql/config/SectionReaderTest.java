package io.omnisql.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every configuration section is read by one reader: the same wording, and file and line in every error. */
class SectionReaderTest {
    @TempDir
    Path dir;

    /** Starts on the shipped files with {@code line} inserted after the first line containing {@code after}. */
    private ConfigException rejected(String file, String after, String line) throws Exception {
        for (String f : new String[] {"catalog.yaml", "policies.yaml", "ratelimits.yaml"}) {
            String text = Files.readString(Path.of(f));
            if (f.equals(file)) {
                int at = text.indexOf('\n', text.indexOf(after)) + 1;
                text = text.substring(0, at) + line + "\n" + text.substring(at);
            }
            Files.writeString(dir.resolve(f), text);
        }
        try {
            Gateway g = Gateway.start(new Gateway.Options(dir, "127.0.0.1", 0, 100_000, Map.<String, String>of()::get));
            g.close();
        } catch (ConfigException e) {
            assertThat(e.file()).isEqualTo(file);
            return e;
        }
        throw new AssertionError("accepted " + line);
    }

    private static int lineOf(String file, String after) throws Exception {
        String text = Files.readString(Path.of(file));
        return (int) text.substring(0, text.indexOf(after)).chars().filter(c -> c == '\n').count() + 2;
    }

    @Test
    void unknownKeysReadTheSameInEverySectionAndNameTheirLine() throws Exception {
        record Case(String file, String after, String line, String path) {
        }
        for (Case c : new Case[] {
                new Case("catalog.yaml", "  max_staleness_ms:", "  max_stalenes_ms: 5", "defaults.max_stalenes_ms"),
                new Case("catalog.yaml", "    latency_ms: 0", "    latencyMs: 1", "simulators.github.latencyMs"),
                new Case("catalog.yaml", "    issues: 10000", "observability: {tracing: {sampler: always}}", "observability.tracing.sampler"),
                new Case("policies.yaml", "  audience: omnisql", "  audiance: omnisql", "identity.audiance"),
                new Case("policies.yaml", "  default_access: deny", "  default_acess: deny", "policies.default_acess")}) {
            ConfigException e = rejected(c.file(), c.after(), c.line());
            assertThat(e.line()).as(c.line()).isEqualTo(lineOf(c.file(), c.after()));
            assertThat(e.getMessage()).as(c.line()).startsWith(c.file() + ":" + e.line() + ": " + c.path() + ": unknown key (expected one of [");
        }
    }

    @Test
    void badValuesInObservabilityAndSimulatorsNameTheirLine() throws Exception {
        ConfigException sims = rejected("catalog.yaml", "    latency_ms: 0", "    pull_requests_x: 1");
        assertThat(sims.line()).isPositive();
        ConfigException obs = rejected("catalog.yaml", "    issues: 10000", "observability:\n  tracing: {sample_ratio: 2}");
        assertThat(obs.line()).isEqualTo(lineOf("catalog.yaml", "    issues: 10000") + 1);
        assertThat(obs.getMessage()).contains("observability.tracing.sample_ratio: must be between 0.0 and 1.0");
        assertThat(rejected("catalog.yaml", "    issues: 10000", "observability:\n  query_log: maybe").getMessage())
                .contains("observability.query_log: must be true or false");
    }
}
