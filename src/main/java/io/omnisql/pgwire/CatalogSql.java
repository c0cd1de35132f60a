package io.omnisql.pgwire;

import io.omnisql.pgwire.SqlTokens.Kind;
import io.omnisql.pgwire.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes statements and translates the Postgres dialect tools use against pg_catalog into DuckDB's, token by
 * token: {@code pg_catalog.} qualifiers go (the shadow catalog's own relations and macros answer), {@code
 * information_schema.} names the shadow's views, {@code OPERATOR(pg_catalog.~)} and {@code COLLATE} clauses are
 * reduced, Postgres' partial-match regular expressions become DuckDB full matches, and {@code 'name'::regclass}
 * becomes the relation's OID. Only statements bound for the data-less shadow catalog are translated.
 */
final class CatalogSql {
    private static final Set<String> REGEX_OPS = Set.of("~", "!~", "~*", "!~*");

    private CatalogSql() {
    }

    /**
     * True when a query is for the catalog: it names a pg_catalog or information_schema relation (or any {@code
     * pg_*} name), or reads no table at all ({@code SELECT version()}). Everything else takes the governed path,
     * which refuses whatever is not a governed table.
     */
    static boolean isCatalogQuery(List<Token> tokens) {
        boolean from = false;
        for (Token t : tokens) {
            String id = t.identifier();
            if (id == null) {
                continue;
            }
            if (id.equals("pg_catalog") || id.equals("information_schema") || id.startsWith("pg_")) {
                return true;
            }
            if (t.kind() == Kind.WORD && id.equals("from")) {
                from = true;
            }
        }
        return !from;
    }

    static String translate(List<Token> input, Map<String, Integer> relations) {
        List<Token> t = operators(input);
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            Token tok = t.get(i);
            String id = tok.identifier();
            int next = nextSignificant(t, i + 1);
            boolean dotFollows = next >= 0 && t.get(next).text().equals(".");
            if ("pg_catalog".equals(id) && dotFollows) {
                i = next;
                continue;
            }
            if ("information_schema".equals(id) && dotFollows) {
                out.add(new Token(Kind.WORD, "pgis"));
                continue;
            }
            if (tok.isWord("COLLATE") && next >= 0) {
                int end = next;
                int after = nextSignificant(t, end + 1);
                while (after >= 0 && t.get(after).text().equals(".")) {
                    end = nextSignificant(t, after + 1);
                    after = end < 0 ? -1 : nextSignificant(t, end + 1);
                }
                i = end < 0 ? t.size() : end;
                continue;
            }
            if (tok.kind() == Kind.OP && REGEX_OPS.contains(tok.text()) && next >= 0 && t.get(next).kind() == Kind.STRING) {
                boolean insensitive = tok.text().endsWith("*");
                out.add(new Token(Kind.OP, tok.text().startsWith("!") ? "!~" : "~"));
                out.add(new Token(Kind.SPACE, " "));
                out.add(new Token(Kind.STRING, SqlTokens.literal((insensitive ? "(?is)" : "(?s)") + ".*(?:"
                        + t.get(next).stringValue() + ").*")));
                i = next;
                continue;
            }
            if (tok.kind() == Kind.STRING && next >= 0 && t.get(next).text().equals("::")) {
                int type = nextSignificant(t, next + 1);
                int typeEnd = type;
                if (type >= 0 && "pg_catalog".equals(t.get(type).identifier())) {
                    typeEnd = nextSignificant(t, nextSignificant(t, type + 1) + 1);
                }
                String typeName = typeEnd >= 0 ? t.get(typeEnd).identifier() : null;
                if ("regclass".equals(typeName)) {
                    String name = tok.stringValue().replace("\"", "");
                    name = name.startsWith("pg_catalog.") ? name.substring("pg_catalog.".length()) : name;
                    Integer oid = ShadowCatalog.SYSTEM_RELATIONS.getOrDefault(name, relations.get(name));
                    out.add(new Token(Kind.NUMBER, oid == null ? "0" : oid.toString()));
                    i = typeEnd;
                    continue;
                }
                if ("regproc".equals(typeName)) {
                    String name = tok.stringValue();
                    out.add(new Token(Kind.STRING, SqlTokens.literal(name.startsWith("pg_catalog.")
                            ? name.substring("pg_catalog.".length()) : name)));
                    i = typeEnd;
                    continue;
                }
            }
            out.add(tok);
        }
        return SqlTokens.text(aliasFunctionColumns(out));
    }

    /**
     * Postgres names an unaliased {@code f(...)} column {@code f} (DuckDB: {@code "f"()}): top-level items of the
     * first SELECT list that are one function call get {@code AS f}. (Bare words such as {@code current_user} stay:
     * DuckDB resolves them as columns, which an alias of the same name would shadow.)
     */
    private static List<Token> aliasFunctionColumns(List<Token> t) {
        int select = nextSignificant(t, 0);
        if (select < 0 || !t.get(select).isWord("SELECT")) {
            return t;
        }
        List<Token> out = new ArrayList<>(t.subList(0, select + 1));
        int i = select + 1;
        while (i < t.size()) {
            int start = nextSignificant(t, i);
            if (start < 0) {
                out.addAll(t.subList(i, t.size()));
                return out;
            }
            int end = itemEnd(t, start);
            int last = end - 1;
            while (last > start && !t.get(last).significant()) {
                last--;
            }
            out.addAll(t.subList(i, last + 1));
            String name = functionName(t, start, end);
            if (name != null) {
                out.add(new Token(Kind.SPACE, " "));
                out.add(new Token(Kind.WORD, "AS"));
                out.add(new Token(Kind.SPACE, " "));
                out.add(new Token(Kind.QUOTED, ShadowCatalog.quote(name)));
            }
            out.addAll(t.subList(last + 1, end));
            if (end >= t.size() || !t.get(end).text().equals(",")) {
                out.addAll(t.subList(end, t.size()));
                return out;
            }
            out.add(t.get(end));
            i = end + 1;
        }
        return out;
    }

    /** The index of the {@code ,} or the word that ends a select item at depth 0 (or the end). */
    private static int itemEnd(List<Token> t, int start) {
        int depth = 0;
        for (int i = start; i < t.size(); i++) {
            String x = t.get(i).text();
            if (x.equals("(") || x.equals("[")) {
                depth++;
            } else if (x.equals(")") || x.equals("]")) {
                depth--;
            } else if (depth == 0 && (x.equals(",") || t.get(i).isWord("FROM") || t.get(i).isWord("WHERE")
                    || t.get(i).isWord("UNION") || t.get(i).isWord("ORDER") || t.get(i).isWord("LIMIT")
                    || t.get(i).isWord("GROUP") || t.get(i).isWord("INTO"))) {
                return i;
            }
        }
        return t.size();
    }

    /** The name to alias an item {@code [start, end)} with, when it is exactly one function call; else null. */
    private static String functionName(List<Token> t, int start, int end) {
        List<Token> item = SqlTokens.significant(t.subList(start, end));
        if (item.size() < 3 || item.get(0).kind() != Kind.WORD || !item.get(1).text().equals("(")
                || !item.get(item.size() - 1).text().equals(")")) {
            return null;
        }
        int depth = 0;
        for (int i = 1; i < item.size(); i++) {
            depth += item.get(i).text().equals("(") ? 1 : item.get(i).text().equals(")") ? -1 : 0;
            if (depth == 0 && i < item.size() - 1) {
                return null;
            }
        }
        return item.get(0).identifier();
    }

    /** {@code OPERATOR(pg_catalog.~)} as the plain operator token it names. */
    private static List<Token> operators(List<Token> input) {
        List<Token> t = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            Token tok = input.get(i);
            int open = nextSignificant(input, i + 1);
            int close = open >= 0 && input.get(open).text().equals("(") ? indexOf(input, open, ")") : -1;
            if (tok.isWord("OPERATOR") && close > 0) {
                StringBuilder op = new StringBuilder();
                for (int j = open + 1; j < close; j++) {
                    if (input.get(j).kind() == Kind.OP) {
                        op.append(input.get(j).text());
                    }
                }
                t.add(new Token(Kind.SPACE, " "));
                t.add(new Token(Kind.OP, op.toString()));
                t.add(new Token(Kind.SPACE, " "));
                i = close;
            } else {
                t.add(tok);
            }
        }
        return t;
    }

    private static int nextSignificant(List<Token> t, int from) {
        for (int i = Math.max(from, 0); i < t.size(); i++) {
            if (t.get(i).significant()) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(List<Token> t, int from, String text) {
        for (int i = from; i < t.size(); i++) {
            if (t.get(i).text().equals(text)) {
                return i;
            }
        }
        return -1;
    }
}
