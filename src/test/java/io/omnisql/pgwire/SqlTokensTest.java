package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Statement splitting and the catalog dialect translation work on tokens, never on raw text. */
class SqlTokensTest {

    @Test
    void splitsOnTopLevelSemicolonsOnly() {
        List<List<SqlTokens.Token>> s = SqlTokens.statements(SqlTokens.lex(
                "SELECT ';' AS a; SELECT $$;$$ -- ; comment\n; /* ; */ ;"));
        assertThat(s).hasSize(2);
        assertThat(SqlTokens.text(s.get(0))).isEqualTo("SELECT ';' AS a");
    }

    @Test
    void unaliasedFunctionColumnsAreNamedAsPostgresNamesThem() {
        assertThat(CatalogSql.translate(SqlTokens.lex("SELECT version(), current_user, pg_catalog.current_schema() AS s, "
                + "format_type(1, NULL), length('x') + 1"), Map.of()))
                .isEqualTo("SELECT version() AS \"version\", current_user, current_schema() AS s, "
                        + "format_type(1, NULL) AS \"format_type\", length('x') + 1");
        // A bare word stays as it is: DuckDB reads it as a column, which its own alias would shadow.
        assertThat(CatalogSql.translate(SqlTokens.lex("SELECT current_user, format_type(1, NULL) FROM pg_type "
                + "WHERE current_user = 'x'"), Map.of()))
                .isEqualTo("SELECT current_user, format_type(1, NULL) AS \"format_type\" FROM pg_type WHERE current_user = 'x'");
    }

    @Test
    void catalogQueriesAreRecognisedAndTranslated() {
        assertThat(CatalogSql.isCatalogQuery(SqlTokens.lex("SELECT version()"))).isTrue();
        assertThat(CatalogSql.isCatalogQuery(SqlTokens.lex("SELECT * FROM pg_catalog.pg_class"))).isTrue();
        assertThat(CatalogSql.isCatalogQuery(SqlTokens.lex("SELECT * FROM github.pull_requests WHERE title = 'pg_class'"))).isFalse();
        String sql = CatalogSql.translate(SqlTokens.lex("SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname "
                + "OPERATOR(pg_catalog.~) '^(pull_requests)$' COLLATE pg_catalog.default AND n.nspname !~ '^pg_toast' "
                + "AND d.classoid = 'pg_class'::regclass AND c.oid = 'github.issues'::regclass "
                + "AND x.typinput = 'pg_catalog.array_in'::regproc AND y IN (SELECT 1 FROM information_schema.columns)"),
                Map.of("github.issues", 20_002));
        assertThat(sql).isEqualTo("SELECT c.oid FROM pg_class c WHERE c.relname  ~ '(?s).*(?:^(pull_requests)$).*'  "
                + "AND n.nspname !~ '(?s).*(?:^pg_toast).*' AND d.classoid = 1259 AND c.oid = 20002 "
                + "AND x.typinput = 'array_in' AND y IN (SELECT 1 FROM pgis.columns)");
    }
}
