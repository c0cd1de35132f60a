package io.omnisql.gateway;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QueryTextTest {
    @Test
    void literalsBecomePlaceholdersWhileIdentifiersAndStructureStay() {
        assertThat(QueryText.sanitized("SELECT \"team_1\", t2.x FROM src_12 t2 WHERE email = 'a''b@x.io' AND n > 42 "
                + "AND f = 1.5e3 LIMIT 10"))
                .isEqualTo("SELECT \"team_1\", t2.x FROM src_12 t2 WHERE email = ? AND n > ? AND f = ? LIMIT ?");
    }

    @Test
    void anUnterminatedLiteralIsStillHidden() {
        assertThat(QueryText.sanitized("SELECT 'secret")).isEqualTo("SELECT ?");
    }
}
