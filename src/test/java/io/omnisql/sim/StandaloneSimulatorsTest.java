package io.omnisql.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/sim reads the catalog's simulators section as the gateway does, and the sizes given override it. */
class StandaloneSimulatorsTest {
    @TempDir
    Path dir;

    @Test
    void theShippedSectionIsReadAndSizesOverrideOnlyTheSizes() throws Exception {
        SimulatorSettings shipped = StandaloneSimulators.settings(Path.of("catalog.yaml"));
        assertThat(shipped.github().pullRequests()).isEqualTo(5000);
        SimulatorSettings sized = StandaloneSimulators.sized(shipped, 20_000, null);
        assertThat(sized.github().pullRequests()).isEqualTo(20_000);
        assertThat(sized.jira().issues()).isEqualTo(shipped.jira().issues());
        assertThat(sized.github().repos()).isEqualTo(shipped.github().repos());
        assertThat(sized.github().seed()).isEqualTo(shipped.github().seed());
    }

    @Test
    void aTypoInTheSectionFailsLoudly() throws Exception {
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, "simulators:\n  github:\n    pull_request: 5\n");
        assertThatThrownBy(() -> StandaloneSimulators.settings(catalog)).hasMessageContaining("pull_request");
    }
}
