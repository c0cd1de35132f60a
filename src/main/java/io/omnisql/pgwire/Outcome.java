package io.omnisql.pgwire;

import java.util.List;

/**
 * A statement's answer: columns (null for a command), rows, command tag, notices to send first ({severity,
 * SQLSTATE, message}) and settings to report as ParameterStatus ({name, value}).
 */
record Outcome(List<ShadowCatalog.Column> columns, List<Object[]> rows, String tag, List<String[]> notices,
               List<String[]> statuses) {
    static Outcome command(String tag) {
        return new Outcome(null, List.of(), tag, List.of(), List.of());
    }

    static Outcome rows(List<ShadowCatalog.Column> columns, List<Object[]> rows, String tag, List<String[]> notices) {
        return new Outcome(columns, rows, tag, notices, List.of());
    }
}
