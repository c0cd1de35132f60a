package io.omnisql.connector;

/**
 * Per column of one page (or, merged, of one fetch): how many rows carried the column's JSON path and how many
 * non-null values did not convert to the declared type (or were missing from its mapping). What turns an
 * onboarding mistake -- a path the upstream never returns, a type that does not fit -- from silent NULLs into
 * a warning. Values themselves are never kept: a warning must not leak data a policy masks.
 */
final class ColumnTally {
    private long rows;
    private final long[] present;
    private final long[] failed;

    ColumnTally(int columns) {
        this.present = new long[columns];
        this.failed = new long[columns];
    }

    /** Column {@code c}'s path was in the row with {@code raw} (null for JSON null), converted to {@code value}. */
    void seen(int c, Object raw, Object value) {
        present[c]++;
        if (raw != null && value == null) {
            failed[c]++;
        }
    }

    void rows(long n) {
        rows += n;
    }

    /** Adds another page's counts (pages of one fetch are read concurrently: callers synchronise on this). */
    synchronized void add(ColumnTally page) {
        rows += page.rows;
        for (int c = 0; c < present.length; c++) {
            present[c] += page.present[c];
            failed[c] += page.failed[c];
        }
    }

    synchronized long rows() {
        return rows;
    }

    synchronized long present(int c) {
        return present[c];
    }

    synchronized long failed(int c) {
        return failed[c];
    }
}
