package io.omnisql.policy;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.sql.Predicate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What policy makes of one table reference for one principal, as a typed decision. The executor exposes the
 * table to the statement only through {@link #view}: {@code SELECT visible columns, masked ones as their mask
 * FROM data WHERE row filters}, rendered here so no part of the user's SQL can observe a hidden row or an
 * unmasked value, and no other package writes policy SQL.
 *
 * @param hiddenColumns columns left out of the governed table (denied; {@code SELECT *} leaves them out)
 * @param masks         column -> the mask that replaces its value
 * @param rowFilters    predicates (principal values already rendered as literals) every row must pass
 * @param pushable      row filters a source may also apply (always applied again in DuckDB)
 * @param applied       human-readable descriptions for {@code metadata.policies}
 */
public record Governance(Set<String> hiddenColumns, Map<String, Mask> masks, List<Filter> rowFilters,
                         List<Predicate> pushable, List<String> applied) {
    public static final Governance NONE = new Governance(Set.of(), Map.of(), List.of(), List.of(), List.of());

    /** A row filter for one principal: its SQL over the table's quoted columns, and the columns it reads. */
    public record Filter(String sql, Set<String> columns) {
        public Filter {
            columns = Set.copyOf(columns);
        }
    }

    public boolean isNone() {
        return hiddenColumns.isEmpty() && masks.isEmpty() && rowFilters.isEmpty();
    }

    /** Columns whose raw values the statement must not see, so predicates on them never reach a source. */
    public boolean protects(String column) {
        return hiddenColumns.contains(column) || masks.containsKey(column);
    }

    /** Columns policy itself reads (row filters, and the masked columns their masks are computed from). */
    public Set<String> columnsRead() {
        Set<String> out = new LinkedHashSet<>(masks.keySet());
        rowFilters.forEach(f -> out.addAll(f.columns()));
        return out;
    }

    /**
     * The body of the governed view standing for one table reference: the columns the statement can observe
     * that were loaded and are not hidden (masked ones as their mask), from {@code source}, filtered.
     *
     * @param observed columns the statement can observe
     * @param loaded   columns present in {@code source}
     * @param source   the engine table holding the reference's data (a plain identifier)
     */
    public String view(TableDef table, Set<String> observed, Set<String> loaded, String source) {
        StringBuilder sql = new StringBuilder("SELECT ");
        boolean first = true;
        for (ColumnDef c : table.columns()) {
            if (!observed.contains(c.name()) || hiddenColumns.contains(c.name()) || !loaded.contains(c.name())) {
                continue;
            }
            sql.append(first ? "" : ", ");
            first = false;
            Mask mask = masks.get(c.name());
            sql.append(mask == null ? quote(c.name()) : "(" + mask.render(c.name(), c.type()) + ") AS " + quote(c.name()));
        }
        if (first) {
            sql.append("NULL AS \"__no_visible_column\"");
        }
        sql.append(" FROM ").append(source);
        for (int i = 0; i < rowFilters.size(); i++) {
            sql.append(i == 0 ? " WHERE (" : " AND (").append(rowFilters.get(i).sql()).append(')');
        }
        return sql.toString();
    }

    private static String quote(String column) {
        return "\"" + column.replace("\"", "\"\"") + "\"";
    }
}
