package io.omnisql.policy;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.Op;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import io.omnisql.plan.TableRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The catalog as one principal may see it, for {@code GET /v1/catalog}: it asks the same {@link PolicyDecider}
 * as queries do, as if a statement read every column, so denied tables and columns are absent.
 */
public final class CatalogView {
    private final ConfigStore config;
    private final PolicyDecider policy;

    public CatalogView(ConfigStore config, PolicyDecider policy) {
        this.config = config;
        this.policy = policy;
    }

    /** A readable table; {@code rowFiltered} says row filters limit which rows the caller sees. */
    public record VisibleTable(String name, String description, List<VisibleColumn> columns, boolean rowFiltered) {
    }

    /**
     * Why a readable table looks as it does to the caller: the columns policy leaves out and the rules that shape it,
     * by name. Kept apart from {@link VisibleTable}, whose equality means "the same visible shape" (the Postgres
     * shadow catalog shares one view among principals who see the same tables).
     */
    public record TableRules(List<String> deniedColumns, List<String> policies) {
    }

    /** A catalog table the caller may not read, with the rule that denies it. */
    public record DeniedTable(String name, String rule, String message) {
    }

    /** What one principal may read (with the rules per table name), and what not. */
    public record View(List<VisibleTable> tables, Map<String, TableRules> rules, List<DeniedTable> denied) {
    }

    /** A readable column; masked columns push nothing to the source (predicates on them see masked values). */
    public record VisibleColumn(String name, String type, String description, boolean masked, List<String> pushdown) {
    }

    public List<VisibleTable> tables(Principal principal) {
        return view(principal).tables();
    }

    public View view(Principal principal) {
        Snapshot snapshot = config.current();
        List<VisibleTable> out = new ArrayList<>();
        List<DeniedTable> denied = new ArrayList<>();
        Map<String, TableRules> rules = new LinkedHashMap<>();
        for (TableDef table : snapshot.catalog().tables().values()) {
            Set<String> all = table.columns().stream().map(ColumnDef::name).collect(Collectors.toSet());
            Governance g;
            try {
                g = policy.govern(principal, new TableRef("", table.name(), table, all, Set.of(), List.of(), List.of()), snapshot);
            } catch (QueryException e) {
                if (e.code() == ErrorCode.ENTITLEMENT_DENIED) {
                    // A table no rule opens is not even named to the caller (deny by default); one that an explicit
                    // rule refuses is listed with that rule, so the caller can see why.
                    String rule = String.valueOf(e.details().getOrDefault("rule", ""));
                    if (!rule.equals("default_access")) {
                        denied.add(new DeniedTable(table.name(), rule, e.getMessage()));
                    }
                    continue;
                }
                throw e;
            }
            List<VisibleColumn> columns = new ArrayList<>();
            for (ColumnDef c : table.columns()) {
                if (g.hiddenColumns().contains(c.name())) {
                    continue;
                }
                boolean masked = g.masks().containsKey(c.name());
                List<String> ops = masked ? List.of() : c.pushdown().keySet().stream().sorted().map(Op::sql).toList();
                columns.add(new VisibleColumn(c.name(), c.type().name(), c.description(), masked, ops));
            }
            out.add(new VisibleTable(table.name(), table.description(), List.copyOf(columns), !g.rowFilters().isEmpty()));
            rules.put(table.name(), new TableRules(g.hiddenColumns().stream().sorted().toList(), g.applied()));
        }
        return new View(List.copyOf(out), Collections.unmodifiableMap(rules), List.copyOf(denied));
    }
}
