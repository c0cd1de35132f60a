package io.omnisql.fuzz;

import java.util.Random;

/**
 * Statements for the fuzzers, from a seeded {@link Random} (the same seed gives the same statements): the hostile
 * families of issue 13, ordinary queries, and single-table filters whose literal forms pushdown must read exactly
 * as DuckDB does.
 */
public final class SqlGen {
    private static final String[] COLUMNS_PR = {"pr_id", "number", "repo", "title", "state", "draft", "author", "branch",
        "head_label", "base_branch", "created_at", "updated_at", "merged_at"};
    private static final String[] COLUMNS_ISSUE = {"key", "project", "summary", "status", "assignee", "team_id",
        "branch_name", "created_at", "updated_at"};

    private SqlGen() {
    }

    /** One of the families that hung, overflowed or broke the gateway, at a random size. */
    public static String hostile(Random r) {
        int size = 1 + r.nextInt(r.nextBoolean() ? 15 : 3_000);
        return switch (r.nextInt(12)) {
            case 0 -> "SELECT " + "(".repeat(size % 120) + "7" + ")".repeat(size % 120);
            case 1 -> "SELECT " + "(".repeat(size % 14) + "7" + ")".repeat(size % 14) + " +"; // simple mode fails
            case 2 -> "SELECT 1 FROM jira.issues WHERE " + "NOT (".repeat(size % 90) + "status = 'Done'" + ")".repeat(size % 90);
            case 3 -> "SELECT " + "CAST(".repeat(size % 90) + "1" + " AS BIGINT)".repeat(size % 90);
            case 4 -> "SELECT '" + "x".repeat(size * 2) + "' AS s";
            case 5 -> "SELECT \"" + "y".repeat(size * 2) + "\" FROM github.pull_requests";
            case 6 -> "SELECT 1 FROM github.pull_requests WHERE " + chain(r, size);
            case 7 -> "SELECT count(*) OVER (ORDER BY number " + frame(r) + ") AS n FROM github.pull_requests LIMIT 5";
            case 8 -> soup(r, size % 200);
            case 9 -> "SELECT " + "CASE WHEN 1 = 1 THEN (".repeat(size % 70) + "1" + ") END".repeat(size % 70);
            case 10 -> "SELECT " + "1 = ".repeat(size) + "1";
            default -> "SELECT 1; SELECT 2";
        };
    }

    private static String chain(Random r, int terms) {
        String[] ops = {"number = 1 OR ", "number = 1 AND ", "1 + ", "'a' || ", "number - "};
        String op = ops[r.nextInt(ops.length)];
        return op.repeat(terms) + "1 = 1";
    }

    private static String frame(Random r) {
        String[] frames = {"ROWS UNBOUNDED PRECEDING", "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", "RANGE UNBOUNDED PRECEDING",
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "ROWS 2 PRECEDING", "GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW"};
        return frames[r.nextInt(frames.length)];
    }

    /** SQL tokens in random order: mostly syntax errors, some odd valid statements. */
    private static String soup(Random r, int tokens) {
        String[] words = {"SELECT", "FROM", "WHERE", "(", ")", ",", "*", "1", "'a'", "\"b\"", "jira.issues", "github.pull_requests",
            "AND", "OR", "NOT", "=", "<", "IN", "JOIN", "ON", "GROUP BY", "ORDER BY", "LIMIT", "WITH", "AS", "x", "CASE", "WHEN",
            "THEN", "END", "OVER", "E'\\x41'", "NULL", "::", "INTERVAL", "TIMESTAMP '2025-01-01'", "--", "/*", "*/", ";", "$$"};
        StringBuilder s = new StringBuilder("SELECT ");
        for (int i = 0; i < tokens; i++) {
            s.append(words[r.nextInt(words.length)]).append(' ');
        }
        return s.toString();
    }

    /** Ordinary statements over the demo tables. */
    public static String valid(Random r) {
        String[] statements = {
            "SELECT repo, state, count(*) AS n FROM github.pull_requests GROUP BY repo, state ORDER BY repo, state",
            "SELECT key, status, updated_at FROM jira.issues WHERE project = 'MOB' ORDER BY key LIMIT 20",
            "SELECT p.number, i.key FROM github.pull_requests p JOIN jira.issues i ON p.branch = i.branch_name LIMIT 50",
            "SELECT ROW(1, 'a') AS r, '\\xAA'::BLOB AS b, INTERVAL '90 minutes' AS i, TIMESTAMP '2025-01-01 10:00:00' AS t",
            "SELECT status, min(created_at), max(updated_at) FROM jira.issues GROUP BY status",
            "SELECT number, count(*) OVER (ORDER BY number ROWS UNBOUNDED PRECEDING) AS n FROM github.pull_requests LIMIT 10",
        };
        return statements[r.nextInt(statements.length)];
    }

    /** A single-table filter whose literal a source may receive: the pushed and unpushed answers must agree. */
    public static String pushdownSensitive(Random r) {
        boolean jira = r.nextBoolean();
        String table = jira ? "jira.issues" : "github.pull_requests";
        String column;
        String literal;
        switch (r.nextInt(jira ? 6 : 4)) {
            case 0 -> {
                column = "updated_at";
                literal = timestamp(r);
            }
            case 1 -> {
                column = "created_at";
                literal = timestamp(r);
            }
            case 2 -> {
                column = jira ? "status" : "state";
                literal = pick(r, jira ? new String[] {"'Done'", "'done'", "'In Progress'", "'Won''t \"fix\"'", "NULL", "E'Do\\x6ee'",
                    "N'Done'", "'To Do' COLLATE NOCASE"} : new String[] {"'open'", "'OPEN'", "'closed'", "'merged'", "NULL", "E'op\\x65n'"});
            }
            case 3 -> {
                column = jira ? "team_id" : "base_branch";
                literal = pick(r, jira ? new String[] {"'web'", "'WEB'", "'nope'", "NULL"}
                        : new String[] {"'main'", "E'ma\\x69n'", "'MAIN'", "'main '", "NULL"});
            }
            case 4 -> {
                column = "key";
                literal = pick(r, new String[] {"'MOB-1'", "'MOB-99999999999999999999'", "'mob-1'", "'MOB-0'", "'MOB-999999999'",
                    "'MOB-1 '", "'MOB--1'", "NULL", "'WEB-3'"});
            }
            default -> {
                column = "project";
                literal = pick(r, new String[] {"'MOB'", "'mob'", "'NOPE'", "NULL"});
            }
        }
        String op = column.endsWith("_at") ? pick(r, new String[] {"<", "<=", ">", ">=", "="}) : pick(r, new String[] {"=", "=", "<>", "IN"});
        String predicate = op.equals("IN") ? column + " IN (" + literal + ", " + literal + ")" : column + " " + op + " " + literal;
        return "SELECT " + (jira ? "key" : "pr_id") + " FROM " + table + " WHERE " + predicate;
    }

    private static String timestamp(Random r) {
        String day = String.format("2025-%02d-%02d", 1 + r.nextInt(12), 1 + r.nextInt(28));
        String time = String.format("%02d:%02d:%02d", r.nextInt(24), r.nextInt(60), r.nextInt(60));
        String[] suffixes = {"", "", "+14:00", "-12:00", "Z", ".5", ".0000009", " UTC", "+0530"};
        String text = day + (r.nextInt(4) == 0 ? "" : (r.nextBoolean() ? " " : "T") + time + suffixes[r.nextInt(suffixes.length)]);
        return pick(r, new String[] {"'" + text + "'", "TIMESTAMP '" + text + "'", "TIMESTAMPTZ '" + text + "'", "DATE '" + day + "'",
            "CAST('" + text + "' AS TIMESTAMP)"});
    }

    private static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }
}
