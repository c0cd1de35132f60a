package io.omnisql.connector;

import io.omnisql.config.Catalog.PushRule;
import io.omnisql.sql.Predicate;
import java.util.List;

/**
 * The connector's one answer, per candidate predicate, to "does the source apply this?" (like Trino's
 * {@code applyFilter} returning the remaining filter): pushed exactly, pushed approximately (the source narrows
 * to a superset, so DuckDB still applies it) or not pushed. Decided once, by {@link RequestBuilder}; everything
 * after it (explain's pushed and residual filters, the per-row prefilter, retries without refused clauses)
 * reads this instead of consulting the catalog's rules again.
 */
public record Pushdown(List<Decision> decisions) {
    public Pushdown {
        decisions = List.copyOf(decisions);
    }

    /** How a source applies one predicate. */
    public enum Kind {
        /** The request applies it with SQL's meaning. */
        EXACT,
        /** The request narrows to a superset of the rows it keeps: DuckDB applies it too. */
        APPROXIMATE,
        /** The request does not apply it: DuckDB does. */
        NOT_PUSHED
    }

    /** One candidate and how it is applied; {@code rule} is the catalog rule it went by (null when not pushed). */
    public record Decision(Predicate predicate, Kind kind, PushRule rule) {
        public boolean pushed() {
            return kind != Kind.NOT_PUSHED;
        }
    }

    /** The predicates the source applies, exactly or approximately, in candidate order. */
    public List<Predicate> pushed() {
        return decisions.stream().filter(Decision::pushed).map(Decision::predicate).toList();
    }

    /** The predicates the source does not apply, in candidate order. */
    public List<Predicate> notPushed() {
        return decisions.stream().filter(d -> !d.pushed()).map(Decision::predicate).toList();
    }

    /** What DuckDB must decide besides the statement's other conjuncts: the ones not pushed, then the approximate ones. */
    public List<Predicate> residual() {
        return java.util.stream.Stream.concat(notPushed().stream(),
                decisions.stream().filter(d -> d.kind() == Kind.APPROXIMATE).map(Decision::predicate)).toList();
    }

    /** Every candidate, in the order it was offered. */
    public List<Predicate> candidates() {
        return decisions.stream().map(Decision::predicate).toList();
    }
}
