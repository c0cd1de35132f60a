package io.omnisql.sim;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JQL subset: a tokenizer and a recursive-descent parser compiling to a predicate and an ordering.
 * <pre>
 * query   := [or] [ORDER BY sort {, sort}]
 * or      := and {OR and}          and := unary {AND unary}
 * unary   := NOT unary | ( or ) | field op operand
 * op      := = | != | ~ | !~ | &gt; | &gt;= | &lt; | &lt;= | IN | NOT IN | IS | IS NOT
 * </pre>
 * Values are bare words or quoted strings ({@code "..."} or {@code '...'}, with {@code \"} and {@code \\}
 * escapes), so a quoted value is always one literal. Like Jira: {@code =} on names is case-insensitive,
 * {@code !=}/{@code NOT IN} never match an empty field, and unknown projects, statuses, users or team options
 * are errors rather than empty results.
 */
final class JqlInterpreter {

    /** A JQL the simulator refuses; the message is Jira's wording where Jira has one. */
    static final class JqlException extends RuntimeException {
        JqlException(String message) {
            super(message);
        }
    }

    /** What value validation and relative dates need to know. */
    interface Context {
        boolean projectExists(String key);

        /** Login for an accountId or a visible e-mail address, or null. */
        String userLogin(String accountIdOrEmail);

        boolean teamExists(String value);

        /** Whether an issue has this key (Jira refuses =, !=, IN and NOT IN naming a key that does not exist). */
        boolean issueExists(String key);

        Instant now();

        /** Display name used to sort by assignee. */
        String displayName(String login);
    }

    /**
     * A compiled query; {@code bounded} is true when every match is restricted by project or key, and
     * {@code relative} when a relative date ({@code -5d}) makes the result depend on the clock.
     */
    record Query(Predicate<DemoData.Issue> where, Comparator<DemoData.Issue> order, boolean bounded,
                 boolean relative) {
    }

    private enum Kind { PROJECT, KEY, STATUS, USER, TEXT, DATE, STRING, OPTION }

    private enum Field {
        PROJECT("project", Kind.PROJECT, DemoData.Issue::project),
        KEY("key", Kind.KEY, DemoData.Issue::key),
        STATUS("status", Kind.STATUS, DemoData.Issue::status),
        ASSIGNEE("assignee", Kind.USER, DemoData.Issue::assignee),
        SUMMARY("summary", Kind.TEXT, DemoData.Issue::summary),
        CREATED("created", Kind.DATE, i -> i.created()),
        UPDATED("updated", Kind.DATE, i -> i.updated()),
        BRANCH("cf[10050]", Kind.STRING, DemoData.Issue::branch),
        TEAM("cf[10060]", Kind.OPTION, DemoData.Issue::team);

        final String display;
        final Kind kind;
        final Function<DemoData.Issue, Object> value;

        Field(String display, Kind kind, Function<DemoData.Issue, Object> value) {
            this.display = display;
            this.kind = kind;
            this.value = value;
        }

        static Field named(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "project" -> PROJECT;
                case "key", "issuekey" -> KEY;
                case "status" -> STATUS;
                case "assignee" -> ASSIGNEE;
                case "summary" -> SUMMARY;
                case "created", "createddate" -> CREATED;
                case "updated", "updateddate" -> UPDATED;
                case "cf[10050]", "customfield_10050" -> BRANCH;
                case "cf[10060]", "customfield_10060", "team" -> TEAM;
                default -> null;
            };
        }
    }

    private enum T { WORD, STRING, OP, LPAREN, RPAREN, COMMA, EOF }

    private record Token(T type, String text, int pos) {
        boolean is(String keyword) {
            return type == T.WORD && text.equalsIgnoreCase(keyword);
        }

        String shown() {
            return type == T.EOF ? "end of query" : "'" + text + "'";
        }
    }

    private static final Set<String> RESERVED = Set.of("and", "or", "not", "in", "is", "empty", "null", "order",
            "by", "asc", "desc");
    private static final Pattern RELATIVE = Pattern.compile("([-+]?)(\\d+)([wdhm])");
    private static final List<DateTimeFormatter> DATE_TIMES = List.of(
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm"), DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm"));
    private static final List<DateTimeFormatter> DATES = List.of(
            DateTimeFormatter.ofPattern("uuuu-MM-dd"), DateTimeFormatter.ofPattern("uuuu/MM/dd"));

    private final List<Token> tokens;
    private final Context ctx;
    private int at;
    private boolean relative;

    private JqlInterpreter(List<Token> tokens, Context ctx) {
        this.tokens = tokens;
        this.ctx = ctx;
    }

    static Query parse(String jql, Context ctx) {
        return new JqlInterpreter(tokenize(jql == null ? "" : jql), ctx).query();
    }

    // ---- tokenizer -----------------------------------------------------------------------------------------

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',') {
                out.add(new Token(c == '(' ? T.LPAREN : c == ')' ? T.RPAREN : T.COMMA, String.valueOf(c), i));
                i++;
            } else if (c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder();
                int start = i++;
                while (true) {
                    if (i >= s.length()) {
                        throw syntax("The quoted string starting at character " + (start + 1) + " is not closed.");
                    }
                    char d = s.charAt(i++);
                    if (d == c) {
                        break;
                    }
                    if (d == '\\') {
                        if (i >= s.length()) {
                            throw syntax("The quoted string starting at character " + (start + 1) + " is not closed.");
                        }
                        char e = s.charAt(i++);
                        switch (e) {
                            case '"', '\'', '\\' -> sb.append(e);
                            case 'n' -> sb.append('\n');
                            case 't' -> sb.append('\t');
                            default -> throw syntax("Illegal escape sequence '\\" + e + "' at character " + i + ".");
                        }
                    } else {
                        sb.append(d);
                    }
                }
                out.add(new Token(T.STRING, sb.toString(), start));
            } else if ("=!<>~".indexOf(c) >= 0) {
                int start = i++;
                if (i < s.length() && s.charAt(i) == '=' && c != '=' && c != '~') {
                    i++;
                } else if (c == '!' && i < s.length() && s.charAt(i) == '~') {
                    i++;
                }
                String op = s.substring(start, i);
                if (op.equals("!")) {
                    throw syntax("Error in the JQL Query: the character '!' at character " + (start + 1)
                            + " must be followed by '=' or '~'.");
                }
                out.add(new Token(T.OP, op, start));
            } else {
                int start = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "()=,!<>~\"'".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                out.add(new Token(T.WORD, s.substring(start, i), start));
            }
        }
        out.add(new Token(T.EOF, "", s.length()));
        return out;
    }

    // ---- parser --------------------------------------------------------------------------------------------

    private Query query() {
        Node where = null;
        if (peek().type() != T.EOF && !peek().is("order")) {
            where = or();
        }
        Comparator<DemoData.Issue> order = null;
        if (peek().is("order")) {
            next();
            expectWord("by");
            order = sort();
            while (peek().type() == T.COMMA) {
                next();
                order = order.thenComparing(sort());
            }
        }
        if (peek().type() != T.EOF) {
            throw unexpected(peek(), "AND, OR or ORDER BY");
        }
        if (order == null) {
            // Without ORDER BY the newest issues come first.
            order = Comparator.comparing(DemoData.Issue::created).reversed();
        }
        order = order.thenComparing(i -> Long.parseLong(i.id()));
        Node w = where;
        return new Query(w == null ? i -> true : w.test(), order, w != null && w.bounded(), relative);
    }

    /** A parsed condition and whether it restricts results to named projects or issues. */
    private record Node(Predicate<DemoData.Issue> test, boolean bounded) {
    }

    private Node or() {
        Node left = and();
        while (peek().is("or")) {
            next();
            Node right = and();
            Predicate<DemoData.Issue> l = left.test(), r = right.test();
            left = new Node(l.or(r), left.bounded() && right.bounded());
        }
        return left;
    }

    private Node and() {
        Node left = unary();
        while (peek().is("and")) {
            next();
            Node right = unary();
            Predicate<DemoData.Issue> l = left.test(), r = right.test();
            left = new Node(l.and(r), left.bounded() || right.bounded());
        }
        return left;
    }

    private Node unary() {
        Token t = peek();
        if (t.is("not")) {
            next();
            return new Node(unary().test().negate(), false);
        }
        if (t.type() == T.LPAREN) {
            next();
            Node inner = or();
            expect(T.RPAREN, "')'");
            return inner;
        }
        return clause();
    }

    private Node clause() {
        Token name = next();
        if (name.type() != T.WORD && name.type() != T.STRING || isReserved(name)) {
            throw unexpected(name, "a field name");
        }
        if (peek().type() == T.LPAREN) {
            throw syntax("Error in the JQL Query: the simulator supports no JQL functions ('" + name.text() + "()').");
        }
        Field field = Field.named(name.text());
        if (field == null) {
            throw new JqlException("Field '" + name.text() + "' does not exist or you do not have permission to view it.");
        }
        String op = operator();
        List<String> values = operand(op);
        if (values == null) {
            boolean wantEmpty = op.equals("IS") || op.equals("=");
            checkOperator(field, "IS");
            return new Node(i -> (field.value.apply(i) == null) == wantEmpty, false);
        }
        checkOperator(field, op);
        Predicate<DemoData.Issue> p = compare(field, op, values);
        boolean positive = op.equals("=") || op.equals("IN");
        return new Node(p, positive && (field == Field.PROJECT || field == Field.KEY));
    }

    private String operator() {
        Token t = next();
        if (t.type() == T.OP) {
            return t.text();
        }
        if (t.is("in")) {
            return "IN";
        }
        if (t.is("not")) {
            expectWord("in");
            return "NOT IN";
        }
        if (t.is("is")) {
            if (peek().is("not")) {
                next();
                return "IS NOT";
            }
            return "IS";
        }
        throw unexpected(t, "an operator");
    }

    /** The operand's values; null when it is EMPTY/NULL (the operator then must be IS, IS NOT, = or !=). */
    private List<String> operand(String op) {
        if (op.equals("IN") || op.equals("NOT IN")) {
            expect(T.LPAREN, "'('");
            List<String> values = new ArrayList<>();
            values.add(value());
            while (peek().type() == T.COMMA) {
                next();
                values.add(value());
            }
            expect(T.RPAREN, "')'");
            return values;
        }
        Token t = peek();
        if (t.is("empty") || t.is("null")) {
            next();
            if (!List.of("IS", "IS NOT", "=", "!=").contains(op)) {
                throw syntax("Error in the JQL Query: the operator '" + op + "' does not support EMPTY.");
            }
            return null;
        }
        if (op.startsWith("IS")) {
            throw unexpected(t, "EMPTY or NULL");
        }
        return List.of(value());
    }

    private String value() {
        Token t = next();
        if (t.type() == T.STRING || t.type() == T.WORD && !isReserved(t)) {
            if (t.type() == T.WORD && peek().type() == T.LPAREN) {
                throw syntax("Error in the JQL Query: the simulator supports no JQL functions ('" + t.text() + "()').");
            }
            return t.text();
        }
        throw unexpected(t, "a value");
    }

    private static void checkOperator(Field field, String op) {
        Set<String> allowed = switch (field.kind) {
            case PROJECT, STATUS -> Set.of("=", "!=", "IN", "NOT IN");
            case KEY -> Set.of("=", "!=", "IN", "NOT IN", ">", ">=", "<", "<=");
            case USER, OPTION -> Set.of("=", "!=", "IN", "NOT IN", "IS");
            case TEXT -> Set.of("~", "!~", "IS");
            case DATE -> Set.of("=", "!=", "IN", "NOT IN", ">", ">=", "<", "<=", "IS");
            case STRING -> Set.of("=", "!=", "IN", "NOT IN", "~", "!~", "IS");
        };
        if (!allowed.contains(op.equals("IS NOT") ? "IS" : op)) {
            throw new JqlException("The operator '" + op + "' is not supported by the '" + field.display + "' field.");
        }
    }

    private Predicate<DemoData.Issue> compare(Field field, String op, List<String> raw) {
        if (field.kind == Kind.DATE) {
            List<Instant> at = raw.stream().map(v -> date(field, v)).toList();
            Function<DemoData.Issue, Object> get = field.value;
            return switch (op) {
                case ">" -> i -> ((Instant) get.apply(i)).isAfter(at.getFirst());
                case ">=" -> i -> !((Instant) get.apply(i)).isBefore(at.getFirst());
                case "<" -> i -> ((Instant) get.apply(i)).isBefore(at.getFirst());
                case "<=" -> i -> !((Instant) get.apply(i)).isAfter(at.getFirst());
                case "=", "IN" -> i -> at.contains((Instant) get.apply(i));
                default -> i -> !at.contains((Instant) get.apply(i));
            };
        }
        if (field.kind == Kind.KEY && op.length() <= 2 && op.matches("[<>]=?")) {
            String[] key = splitKey(raw.getFirst());
            int number = Integer.parseInt(key[1]);
            return i -> i.project().equalsIgnoreCase(key[0]) && switch (op) {
                case ">" -> i.number() > number;
                case ">=" -> i.number() >= number;
                case "<" -> i.number() < number;
                default -> i.number() <= number;
            };
        }
        if (op.equals("~") || op.equals("!~")) {
            String needle = raw.getFirst().toLowerCase(Locale.ROOT);
            Function<DemoData.Issue, Object> get = field.value;
            Predicate<DemoData.Issue> contains = i -> get.apply(i) != null
                    && ((String) get.apply(i)).toLowerCase(Locale.ROOT).contains(needle);
            return op.equals("~") ? contains : i -> get.apply(i) != null && !contains.test(i);
        }
        List<String> wanted = raw.stream().map(v -> canonical(field, v)).toList();
        Function<DemoData.Issue, Object> get = field.value;
        Predicate<DemoData.Issue> in = i -> {
            Object v = get.apply(i);
            return v != null && wanted.contains(field == Field.ASSIGNEE ? (String) v : ((String) v).toLowerCase(Locale.ROOT));
        };
        // Jira's negative operators never match an empty field.
        return op.equals("=") || op.equals("IN") ? in : i -> get.apply(i) != null && !in.test(i);
    }

    /** The comparable form of a value (lower case, or a login for users), validated like Jira validates it. */
    private String canonical(Field field, String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        return switch (field.kind) {
            case PROJECT -> {
                if (!ctx.projectExists(v)) {
                    throw noValue(v, field);
                }
                yield lower;
            }
            case STATUS -> {
                if (DemoData.STATUSES.stream().noneMatch(s -> s.equalsIgnoreCase(v))) {
                    throw noValue(v, field);
                }
                yield lower;
            }
            case USER -> {
                String login = ctx.userLogin(v);
                if (login == null) {
                    throw noValue(v, field);
                }
                yield login;
            }
            case OPTION -> {
                if (!ctx.teamExists(v)) {
                    throw noValue(v, field);
                }
                yield lower;
            }
            case KEY -> {
                splitKey(v);
                if (!ctx.issueExists(v)) {
                    throw new JqlException("An issue with key '" + v + "' does not exist for field 'key'.");
                }
                yield lower;
            }
            default -> lower;
        };
    }

    private static String[] splitKey(String v) {
        int dash = v.lastIndexOf('-');
        if (dash <= 0 || !v.substring(dash + 1).matches("\\d{1,9}")) {
            throw new JqlException("The issue key '" + v + "' for field 'key' is invalid.");
        }
        return new String[]{v.substring(0, dash), v.substring(dash + 1)};
    }

    private Instant date(Field field, String v) {
        Matcher rel = RELATIVE.matcher(v.trim());
        if (rel.matches()) {
            long n = Long.parseLong(rel.group(2)) * (rel.group(1).equals("-") ? -1 : 1);
            Duration unit = switch (rel.group(3)) {
                case "w" -> Duration.ofDays(7);
                case "d" -> Duration.ofDays(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofMinutes(1);
            };
            relative = true;
            return ctx.now().plus(unit.multipliedBy(n));
        }
        for (DateTimeFormatter f : DATE_TIMES) {
            try {
                return LocalDateTime.parse(v, f).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException ignored) {
                // try the next accepted format
            }
        }
        for (DateTimeFormatter f : DATES) {
            try {
                return LocalDate.parse(v, f).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException ignored) {
                // try the next accepted format
            }
        }
        throw new JqlException("Date value '" + v + "' for field '" + field.display + "' is invalid. Valid formats"
                + " include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format"
                + " e.g. '-5d', '4w 2d'.");
    }

    private Comparator<DemoData.Issue> sort() {
        Token name = next();
        Field field = name.type() == T.WORD || name.type() == T.STRING ? Field.named(name.text()) : null;
        if (field == null) {
            throw new JqlException("Not able to sort using field '" + name.text() + "'.");
        }
        Comparator<DemoData.Issue> c = switch (field.kind) {
            case KEY -> Comparator.comparing(DemoData.Issue::project).thenComparingInt(DemoData.Issue::number);
            case STATUS -> Comparator.comparingInt(i -> DemoData.STATUSES.indexOf(i.status()));
            case DATE -> Comparator.comparing(i -> (Instant) field.value.apply(i));
            case USER -> Comparator.comparing(i -> i.assignee() == null ? null : ctx.displayName(i.assignee()),
                    Comparator.nullsLast(Comparator.naturalOrder()));
            default -> Comparator.comparing(i -> (String) field.value.apply(i),
                    Comparator.nullsLast(String.CASE_INSENSITIVE_ORDER));
        };
        if (peek().is("desc")) {
            next();
            return c.reversed();
        }
        if (peek().is("asc")) {
            next();
        }
        return c;
    }

    // ---- token helpers -------------------------------------------------------------------------------------

    private Token peek() {
        return tokens.get(at);
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.type() != T.EOF) {
            at++;
        }
        return t;
    }

    private void expect(T type, String what) {
        Token t = next();
        if (t.type() != type) {
            throw unexpected(t, what);
        }
    }

    private void expectWord(String word) {
        Token t = next();
        if (!t.is(word)) {
            throw unexpected(t, "'" + word.toUpperCase(Locale.ROOT) + "'");
        }
    }

    private static boolean isReserved(Token t) {
        return t.type() == T.WORD && RESERVED.contains(t.text().toLowerCase(Locale.ROOT));
    }

    private static JqlException unexpected(Token t, String expected) {
        return syntax("Error in the JQL Query: Expecting " + expected + " but got " + t.shown() + ". (line 1, character "
                + (t.pos() + 1) + ")");
    }

    private static JqlException syntax(String message) {
        return new JqlException(message);
    }

    private static JqlException noValue(String v, Field field) {
        return new JqlException("The value '" + v + "' does not exist for the field '"
                + (field == Field.TEAM ? "Team" : field.display) + "'.");
    }
}
