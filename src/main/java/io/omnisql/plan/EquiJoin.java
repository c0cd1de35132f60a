package io.omnisql.plan;

/**
 * An equality between a column of one table reference and a column of another, in a SELECT block whose joins
 * are all inner: a row of either reference that has no equal partner can never reach the answer, so the
 * distinct values of one side narrow what the other side needs to a superset (join-driven pushdown).
 *
 * @param left  index of a reference in {@link QueryPlan#refs()}
 * @param right index of the other reference
 */
public record EquiJoin(int left, String leftColumn, int right, String rightColumn) {
}
