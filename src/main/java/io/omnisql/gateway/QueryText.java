package io.omnisql.gateway;

/**
 * The {@code db.query.text} of a span: the statement with every literal replaced by {@code ?}, as the database
 * semantic conventions advise, so values from queries and row policies (names, e-mail addresses) never reach a
 * trace backend. Quoted identifiers, keywords and structure stay.
 */
final class QueryText {
    private QueryText() {
    }

    static String sanitized(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                // A string literal; '' inside it is an escaped quote.
                i++;
                while (i < n) {
                    if (sql.charAt(i) == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
                i++;
                out.append('?');
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                end = end < 0 ? n : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (Character.isDigit(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                while (i < n && (isWordChar(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    i++;
                }
                out.append('?');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
