package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.PushRule;
import io.omnisql.error.QueryException;
import io.omnisql.sql.Predicate;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Jira answers 400 when JQL names an issue key that does not exist ("An issue with key 'MOB-999999' does not
 * exist for field 'key'"; Atlassian's KB on 400s from search: non-existing data referenced in the JQL), and
 * its Cloud search has no switch to relax that. SQL answers such a filter with no rows (or with the keys that
 * do exist, for IN), so the fetch is repeated with the key clauses kept residual: DuckDB applies them.
 */
final class MissingKeys {
    private static final Pattern REFUSAL = Pattern.compile("(?i)issue with key '[^']*' does not exist for field '(key|issuekey|id)'");
    private static final Set<String> KEY_FIELDS = Set.of("key", "issuekey", "id", "issue");

    private MissingKeys() {
    }

    /** The request without its JQL key clauses, when {@code failure} is Jira refusing one; else null. */
    static SourceRequest relaxed(SourceRequest request, QueryException failure, URI base) {
        if (!Integer.valueOf(400).equals(failure.details().get("upstream_status"))
                || !REFUSAL.matcher(String.valueOf(failure.getMessage())).find()) {
            return null;
        }
        List<Predicate> kept = new ArrayList<>(request.notPushed());
        boolean dropped = false;
        for (Pushdown.Decision d : request.pushdown().decisions()) {
            PushRule rule = d.rule();
            if (!d.pushed()) {
                continue;
            }
            if (rule.kind() == PushRule.Kind.JQL && KEY_FIELDS.contains(rule.target().toLowerCase(Locale.ROOT))) {
                dropped = true;
            } else {
                kept.add(d.predicate());
            }
        }
        if (!dropped) {
            return null;
        }
        SourceRequest rebuilt = RequestBuilder.build(request.table(), request.source(), base,
                request.columns().stream().map(ColumnDef::name).collect(java.util.stream.Collectors.toSet()), kept);
        return new SourceRequest(rebuilt.table(), rebuilt.source(), rebuilt.columns(), rebuilt.pushdown(),
                rebuilt.streams(), request.key());
    }
}
