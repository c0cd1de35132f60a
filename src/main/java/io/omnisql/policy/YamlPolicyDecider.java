package io.omnisql.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.config.ConfigException;
import io.omnisql.config.ConfigParticipant;
import io.omnisql.config.Snapshot;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import io.omnisql.sql.Predicate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides from the {@code policies:} section of policies.yaml. Register it with the config store: each reload
 * compiles (and validates) the section before it is applied, so a bad edit is rejected and the previous
 * policies keep serving. Decisions are cached per (configuration version, table, principal): a request costs
 * one cache lookup plus a scan of the columns it names.
 */
public final class YamlPolicyDecider implements PolicyDecider, ConfigParticipant {
    /** Bounded by bytes: a principal's claims (roles, attributes) are the caller's to size. */
    private final Cache<Key, Decision> decisions = Caffeine.newBuilder().executor(Runnable::run).maximumWeight(16L << 20)
            .weigher((Key k, Decision d) -> (int) Math.min(Integer.MAX_VALUE, 2048 + 2L * k.table().length()
                    + k.principal().estimatedBytes()))
            .build();
    private volatile Policies current;
    /** The policies replaced by the last reload: requests that took their snapshot just before it still use them. */
    private volatile Policies previous;

    /**
     * Keyed by the principal instance, not by its claims: the authenticator hands out one instance per validated
     * token, so a lookup hashes and compares no claim sets (an equal principal in another instance decides again).
     */
    private record Key(long version, String table, Principal principal) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && k.principal == principal && k.table.equals(table);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(version) * 31 + table.hashCode()) * 31 + System.identityHashCode(principal);
        }
    }

    /** Why the whole table is refused to a principal. */
    private record Denial(String rule, String message) {
    }

    /**
     * Everything about one table for one principal; {@code denial} set means no access. {@code full} is the
     * governance of a statement that reads every column.
     */
    private record Decision(Denial denial, Map<String, ColumnRule> denied, Governance full,
                            Map<String, String> maskNotes, List<String> filterNotes) {
    }

    @Override
    public Runnable prepare(Snapshot next) throws ConfigException {
        Policies compiled = PolicyParser.parse(next);
        return () -> {
            previous = current;
            current = compiled;
            decisions.invalidateAll();
        };
    }

    @Override
    public Governance govern(Principal principal, TableRead read, Snapshot snapshot) {
        TableDef table = read.table();
        Decision d = decisions.get(new Key(snapshot.version(), table.name(), principal),
                k -> decide(policies(snapshot), principal, table));
        if (d.denial() != null) {
            throw new QueryException(ErrorCode.ENTITLEMENT_DENIED, d.denial().message(),
                    Map.of("table", table.name(), "rule", d.denial().rule()));
        }
        for (String column : read.mentioned()) {
            ColumnRule rule = d.denied().get(column);
            if (rule != null) {
                throw new QueryException(ErrorCode.ENTITLEMENT_DENIED, "column " + column + " of " + table.name()
                        + " is denied by rule " + rule.rule() + " (" + rule.audience().describe() + ")"
                        + (rule.reason() == null ? "" : ": " + rule.reason())
                        + "; leave it out of the statement (SELECT * omits it)",
                        Map.of("table", table.name(), "column", column, "rule", rule.rule()));
            }
        }
        return forColumns(d, read.columns(), table.name());
    }

    /** The decision narrowed to the columns the statement reads, so metadata lists only what shaped this answer. */
    private static Governance forColumns(Decision d, Set<String> columns, String table) {
        Governance full = d.full();
        if (columns.containsAll(full.masks().keySet()) && columns.containsAll(full.hiddenColumns())) {
            return full;
        }
        Map<String, Mask> masks = new LinkedHashMap<>();
        List<String> applied = new ArrayList<>(d.filterNotes());
        full.masks().forEach((column, sql) -> {
            if (columns.contains(column)) {
                masks.put(column, sql);
                applied.add(d.maskNotes().get(column));
            }
        });
        for (String column : full.hiddenColumns()) {
            if (columns.contains(column)) {
                applied.add(hiddenNote(table, d.denied().get(column)));
            }
        }
        return new Governance(full.hiddenColumns(), Map.copyOf(masks), full.rowFilters(), full.pushable(), List.copyOf(applied));
    }

    private Policies policies(Snapshot snapshot) {
        for (Policies p : new Policies[] {current, previous}) {
            if (p != null && p.version() == snapshot.version()) {
                return p;
            }
        }
        // Not reached through ConfigStore (which swaps the snapshot right after the policies); compile to be exact.
        try {
            return PolicyParser.parse(snapshot);
        } catch (ConfigException e) {
            throw new IllegalStateException("policies of an accepted snapshot no longer compile: " + e.getMessage(), e);
        }
    }

    private static Decision decide(Policies policies, Principal principal, TableDef table) {
        TablePolicy policy = policies.table(table.name());
        Denial denial = access(policy, principal, table.name(), policies.defaultAllow());
        if (denial != null) {
            return new Decision(denial, Map.of(), Governance.NONE, Map.of(), List.of());
        }
        List<Governance.Filter> filters = new ArrayList<>();
        List<Predicate> pushable = new ArrayList<>();
        List<String> filterNotes = new ArrayList<>();
        for (RowFilter f : policy.rowFilters()) {
            if (!f.audience().appliesTo(principal)) {
                continue;
            }
            RowFilter.Rendered r = f.render(principal);
            filters.add(new Governance.Filter(r.sql(), r.columns()));
            pushable.addAll(r.pushable());
            filterNotes.add("row filter " + f.name() + " on " + table.name() + ": " + (r.missingAttribute() == null
                    ? r.sql() : "no rows (fail closed: the principal has no " + r.missingAttribute() + ")"));
        }
        Map<String, ColumnRule> denied = new LinkedHashMap<>();
        Map<String, Mask> masks = new LinkedHashMap<>();
        Map<String, String> maskNotes = new LinkedHashMap<>();
        for (ColumnRule rule : policy.columns()) {
            if (!rule.audience().appliesTo(principal)) {
                continue;
            }
            if (rule.denies()) {
                denied.putIfAbsent(rule.column(), rule);
            } else if (!masks.containsKey(rule.column())) {
                masks.put(rule.column(), rule.mask());
                maskNotes.put(rule.column(), "mask " + rule.mask().label() + " on " + table.name() + "." + rule.column()
                        + " (rule " + rule.rule() + (rule.audience().unless().isEmpty() && rule.audience().when().isEmpty()
                        ? "" : ", " + rule.audience().describe()) + ")");
            }
        }
        // A denial beats a mask of the same column.
        denied.keySet().forEach(c -> {
            masks.remove(c);
            maskNotes.remove(c);
        });
        List<String> applied = new ArrayList<>(filterNotes);
        applied.addAll(maskNotes.values());
        denied.values().forEach(rule -> applied.add(hiddenNote(table.name(), rule)));
        Governance full = new Governance(Set.copyOf(denied.keySet()), Map.copyOf(masks), List.copyOf(filters),
                List.copyOf(pushable), List.copyOf(applied));
        return new Decision(null, Map.copyOf(denied), full, Map.copyOf(maskNotes), List.copyOf(filterNotes));
    }

    private static String hiddenNote(String table, ColumnRule rule) {
        return "column " + table + "." + rule.column() + " left out (rule " + rule.rule() + ")";
    }

    private static Denial access(TablePolicy policy, Principal principal, String table, boolean defaultAllow) {
        for (TablePolicy.AccessRule rule : policy.deny()) {
            if (rule.audience().appliesTo(principal)) {
                return new Denial(rule.rule(), table + " is denied by rule " + rule.rule() + " ("
                        + rule.audience().describe() + ")" + (rule.reason() == null ? "" : ": " + rule.reason()));
            }
        }
        if (!policy.allow().isEmpty()) {
            if (policy.allow().stream().noneMatch(r -> r.audience().appliesTo(principal))) {
                String rule = "tables." + table + ".allow";
                return new Denial(rule, table + " is readable only by principals matching its allow rules ("
                        + String.join("; ", policy.allow().stream().map(r -> r.rule() + ": " + r.audience().describe()).toList())
                        + ")");
            }
            return null;
        }
        return defaultAllow ? null : new Denial("default_access", table + " has no allow rule and default_access is deny "
                + "(add policies.tables." + table + ".allow, or an allow rule on one of its tags, to open it)");
    }
}
