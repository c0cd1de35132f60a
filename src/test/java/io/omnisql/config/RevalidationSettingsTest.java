package io.omnisql.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conditional_requests per source (free | charged, charged when absent) and validator_store_bytes. */
class RevalidationSettingsTest {
    @TempDir
    Path dir;

    private ConfigStore open(UnaryOperator<String> edit) throws Exception {
        for (String f : new String[] {"catalog.yaml", "policies.yaml", "ratelimits.yaml"}) {
            String text = Files.readString(Path.of(f));
            Files.writeString(dir.resolve(f), f.equals("catalog.yaml") ? edit.apply(text) : text);
        }
        return ConfigStore.open(dir);
    }

    @Test
    void theShippedCatalogRevalidatesGithubForFreeAndJiraCharged() throws Exception {
        try (ConfigStore store = open(t -> t)) {
            Catalog c = store.current().catalog();
            assertThat(c.sources().get("github").freeRevalidation()).isTrue();
            assertThat(c.sources().get("jira").freeRevalidation()).isFalse();
            assertThat(c.sources().get("jira_dc").freeRevalidation()).as("absent means charged").isFalse();
            assertThat(c.defaults().validatorStoreBytes()).isEqualTo(64L << 20);
        }
    }

    @Test
    void anUnknownDeclarationIsRefusedNotTakenAsFree() {
        assertThatThrownBy(() -> open(t -> t.replace("conditional_requests: free", "conditional_requests: yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("catalog.yaml").hasMessageContaining("conditional_requests")
                .hasMessageContaining("free or charged");
    }
}
