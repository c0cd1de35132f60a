package io.omnisql.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Jira column reading fields.* must say which field to ask for, by id or by name. */
class JiraFieldDeclarationTest {
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
    void aJiraColumnWithNeitherFieldIdNorFieldNameIsRefused() {
        assertThatThrownBy(() -> open(t -> t.replace("path: fields.customfield_10050, field: customfield_10050}",
                "path: fields.customfield_10050}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("catalog.yaml").hasMessageContaining("branch_name")
                .hasMessageContaining("field_name");
    }

    @Test
    void fieldNameFillsThePathSlotAndCannotBeCombinedWithAnId() throws Exception {
        try (ConfigStore store = open(t -> t.replace("path: fields.customfield_10050, field: customfield_10050}",
                "field_name: Branch}"))) {
            Catalog.ColumnDef c = store.current().catalog().table("jira.issues").orElseThrow().column("branch_name").orElseThrow();
            assertThat(c.fieldName()).isEqualTo("Branch");
            assertThat(c.path()).isEqualTo("fields.{field}");
        }
        assertThatThrownBy(() -> open(t -> t.replace("path: fields.customfield_10050, field: customfield_10050}",
                "path: fields.customfield_10050, field: customfield_10050, field_name: Branch}")))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> open(t -> t.replace("path: fields.customfield_10050, field: customfield_10050}",
                "path: fields.customfield_10050, field_name: Branch}")))
                .hasMessageContaining("{field}");
    }
}
