package io.omnisql.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Postgres-dialect lexer: words, quoted identifiers, string literals (standard, E'' and dollar-quoted),
 * numbers, {@code $n} parameters, operators, punctuation, comments and whitespace, each with its exact text.
 * Statements are split and parameters replaced on these tokens, so text inside a literal or comment is never
 * mistaken for SQL; the governed path then parses the result into a syntax tree as any HTTP statement.
 */
final class SqlTokens {
    enum Kind { WORD, QUOTED, STRING, NUMBER, PARAM, OP, PUNCT, SPACE, COMMENT }

    record Token(Kind kind, String text) {
        boolean isWord(String w) {
            return kind == Kind.WORD && text.equalsIgnoreCase(w);
        }

        /** An identifier's name: lower-cased when unquoted, unescaped when quoted; null for other tokens. */
        String identifier() {
            return switch (kind) {
                case WORD -> text.toLowerCase(Locale.ROOT);
                case QUOTED -> text.substring(1, text.length() - 1).replace("\"\"", "\"");
                default -> null;
            };
        }

        boolean significant() {
            return kind != Kind.SPACE && kind != Kind.COMMENT;
        }

        /** A string literal's value. */
        String stringValue() {
            if (text.startsWith("$")) {
                int tag = text.indexOf('$', 1) + 1;
                return text.substring(tag, text.length() - tag);
            }
            if (text.charAt(0) == 'E' || text.charAt(0) == 'e') {
                StringBuilder b = new StringBuilder();
                String body = text.substring(2, text.length() - 1);
                for (int i = 0; i < body.length(); i++) {
                    char c = body.charAt(i);
                    if (c == '\\' && i + 1 < body.length()) {
                        char n = body.charAt(++i);
                        b.append(switch (n) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            case 'b' -> '\b';
                            case 'f' -> '\f';
                            default -> n;
                        });
                    } else if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                        b.append('\'');
                        i++;
                    } else {
                        b.append(c);
                    }
                }
                return b.toString();
            }
            return text.substring(1, text.length() - 1).replace("''", "'");
        }
    }

    private SqlTokens() {
    }

    static List<Token> lex(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            int start = i;
            Kind kind;
            if (Character.isWhitespace(c)) {
                while (i < n && Character.isWhitespace(sql.charAt(i))) {
                    i++;
                }
                kind = Kind.SPACE;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                kind = Kind.COMMENT;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 0;
                do {
                    if (sql.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (sql.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                } while (i < n && depth > 0);
                kind = Kind.COMMENT;
            } else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                i = quoted(sql, i + 1, '\'', true);
                kind = Kind.STRING;
            } else if (c == '\'') {
                i = quoted(sql, i, '\'', false);
                kind = Kind.STRING;
            } else if (c == '"') {
                i = quoted(sql, i, '"', false);
                kind = Kind.QUOTED;
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                i++;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
                kind = Kind.PARAM;
            } else if (c == '$' && dollarTag(sql, i) > 0) {
                int tagEnd = dollarTag(sql, i);
                String tag = sql.substring(i, tagEnd);
                int close = sql.indexOf(tag, tagEnd);
                i = close < 0 ? n : close + tag.length();
                kind = Kind.STRING;
            } else if (Character.isLetter(c) || c == '_' || c > 127) {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$'
                        || sql.charAt(i) > 127)) {
                    i++;
                }
                kind = Kind.WORD;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.'
                        || ((sql.charAt(i) == '+' || sql.charAt(i) == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) {
                    i++;
                }
                kind = Kind.NUMBER;
            } else if ("+-*/<>=~!@#%^&|`?:".indexOf(c) >= 0) {
                while (i < n && "+-*/<>=~!@#%^&|`?:".indexOf(sql.charAt(i)) >= 0
                        && !(i > start && (sql.startsWith("--", i) || sql.startsWith("/*", i)))) {
                    i++;
                }
                kind = Kind.OP;
            } else {
                i++;
                kind = Kind.PUNCT;
            }
            out.add(new Token(kind, sql.substring(start, i)));
        }
        return out;
    }

    private static int quoted(String sql, int i, char q, boolean backslash) {
        i++;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
                continue;
            }
            if (c == q) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == q) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }

    /** The end of a {@code $tag$} opening at {@code i}, or -1. */
    private static int dollarTag(String sql, int i) {
        int j = i + 1;
        while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < sql.length() && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    /** Statements separated by top-level semicolons; empty ones (only space and comments) are dropped. */
    static List<List<Token>> statements(List<Token> tokens) {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        for (Token t : tokens) {
            if (t.kind() == Kind.PUNCT && t.text().equals(";")) {
                add(out, current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        add(out, current);
        return out;
    }

    private static void add(List<List<Token>> out, List<Token> statement) {
        if (statement.stream().anyMatch(Token::significant)) {
            out.add(statement);
        }
    }

    static List<Token> significant(List<Token> tokens) {
        return tokens.stream().filter(Token::significant).toList();
    }

    static String text(List<Token> tokens) {
        StringBuilder b = new StringBuilder();
        for (Token t : tokens) {
            b.append(t.text());
        }
        return b.toString().strip();
    }

    /** The highest {@code $n} used. */
    static int parameterCount(List<Token> tokens) {
        int max = 0;
        for (Token t : tokens) {
            if (t.kind() == Kind.PARAM) {
                max = Math.max(max, Integer.parseInt(t.text().substring(1)));
            }
        }
        return max;
    }

    /** A string literal for a value: quotes doubled, never a backslash escape (standard_conforming_strings). */
    static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a string may not contain the NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
