package io.omnisql.exec;

import java.util.Locale;

/** DuckDB's execution lanes: cheap statements get reserved slots so they never wait behind expensive ones. */
public enum Lane {
    SHORT, LONG;

    /** The label in metrics, traces and the API. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
