package io.omnisql.plan;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What one linear scan of a statement's text shows before any parser sees it: how deep parentheses nest, how
 * deep an expression tree can get (operators chained in one expression, summed along the nesting), the
 * identifiers it mentions and whether a {@code *} may select columns. Strings, quoted identifiers and comments
 * are skipped; the scan is iterative, so no literal or chain length can overflow the stack (as the regular
 * expressions it replaces did on a 2,500-character literal).
 *
 * @param nesting      the deepest parenthesis nesting
 * @param depth        an upper bound on the depth of any expression tree: per enclosing group, the operators
 *                     chained since its last comma or clause keyword, plus one per group
 * @param identifiers  every identifier outside literals and comments, lower-cased (quoted ones unquoted)
 * @param star         whether a {@code *} appears that is not the sole argument of a call ({@code count(*)});
 *                     multiplication also counts: a superset
 */
record StatementShape(int nesting, int depth, Set<String> identifiers, boolean star) {
    /** Words that end one expression and start another at the same nesting level. */
    private static final Set<String> CLAUSES = Set.of("select", "from", "where", "having", "on", "by", "when", "then",
            "else", "limit", "offset", "union", "except", "intersect", "join", "using", "qualify", "window");
    /** Words that chain two operands into one tree node. */
    private static final Set<String> OPERATOR_WORDS = Set.of("and", "or", "not", "is", "like", "ilike", "between",
            "in", "similar", "glob", "collate");

    private static final String OPERATOR_CHARS = "+-*/%|&^=<>!:";

    static StatementShape of(String sql) {
        int n = sql.length();
        int[] chain = new int[16];
        int level = 0;
        int nesting = 0;
        long sum = 0; // operators chained in the enclosing groups (the current group's count excluded)
        long depth = 0;
        Set<String> identifiers = new HashSet<>();
        boolean star = false;
        char previous = 0; // the last significant character outside literals and comments
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                continue;
            }
            if (c == '\'') {
                boolean backslashes = i > 0 && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')
                        && (i < 2 || !Character.isLetterOrDigit(sql.charAt(i - 2)) && sql.charAt(i - 2) != '_');
                i = skipQuoted(sql, i, '\'', backslashes);
                previous = '\'';
                continue;
            }
            if (c == '"' || c == '`') {
                int end = skipQuoted(sql, i, c, false);
                String name = sql.substring(i + 1, Math.max(i + 1, end - 1));
                identifiers.add(name.replace(c == '"' ? "\"\"" : "``", c == '"' ? "\"" : "`").toLowerCase(Locale.ROOT));
                i = end;
                previous = 'a';
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                String word = sql.substring(start, i).toLowerCase(Locale.ROOT);
                identifiers.add(word);
                if (CLAUSES.contains(word)) {
                    chain[level] = 0;
                } else if (OPERATOR_WORDS.contains(word)) {
                    chain[level]++;
                }
                previous = 'a';
                depth = Math.max(depth, sum + chain[level] + level);
                continue;
            }
            switch (c) {
                case '(' -> {
                    sum += chain[level];
                    level++;
                    if (level == chain.length) {
                        chain = java.util.Arrays.copyOf(chain, chain.length * 2);
                    }
                    chain[level] = 0;
                    nesting = Math.max(nesting, level);
                }
                case ')' -> {
                    if (level > 0) {
                        level--;
                        sum -= chain[level];
                    }
                }
                case ',', ';' -> chain[level] = 0;
                case '*' -> {
                    if (previous != '(') {
                        star = true;
                    }
                    chain[level]++;
                }
                case '+', '-', '/', '%', '|', '&', '^', '=', '<', '>', '!', ':' -> {
                    if (OPERATOR_CHARS.indexOf(previous) < 0) {
                        chain[level]++; // '<=', '||', '::' count once
                    }
                }
                default -> {
                }
            }
            if (!Character.isWhitespace(c)) {
                previous = c;
            }
            depth = Math.max(depth, sum + chain[level] + level);
            i++;
        }
        return new StatementShape(nesting, (int) Math.min(Integer.MAX_VALUE, depth), Set.copyOf(identifiers), star);
    }

    /** The index just past the literal opening at {@code start}; a doubled quote (or, when asked, a backslash) escapes. */
    private static int skipQuoted(String sql, int start, char quote, boolean backslashes) {
        int i = start + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }
}
