package io.omnisql.policy;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.identity.Principal;
import io.omnisql.sql.ColumnComparison;
import io.omnisql.sql.Op;
import io.omnisql.sql.Predicate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;

/**
 * A row filter compiled once per configuration version: the SQL text split around the principal attributes it
 * reads, so rendering it for a principal is string concatenation with each value escaped as a SQL string
 * literal. Only a small, vetted grammar is accepted (comparisons, IN lists, LIKE, BETWEEN, IS NULL, AND/OR/NOT
 * over the table's columns, literals and {@code principal.<attribute>}): no functions or subqueries, so a
 * filter cannot read other tables or depend on anything but the row and the principal.
 */
final class RowFilter {
    private static final String SLOT = "omnisql_slot_";
    private static final Pattern SLOT_REF = Pattern.compile(SLOT + "(\\d+)_x");
    private static final String GRAMMAR = "a row filter may use comparisons, IN (...), LIKE/ILIKE, BETWEEN, IS [NOT] NULL, "
            + "AND/OR/NOT and parentheses over the table's columns, literals and principal.<attribute>";

    private final String name;
    private final String rule;
    private final Audience audience;
    private final String where;
    private final List<String> segments;
    private final List<String> slots;
    private final List<Shape> pushShapes;
    /** The table columns the filter reads: they must be fetched even when the statement does not name them. */
    private final Set<String> columns;

    /** A top-level conjunct {@code column op values} a source may apply; values are literals or attribute names. */
    private record Shape(String column, Op op, List<Operand> values) {
    }

    private record Operand(String literal, String attribute) {
    }

    /** This filter for one principal: SQL, the columns it reads, what a source may apply, and whether it failed closed. */
    record Rendered(String sql, Set<String> columns, List<Predicate> pushable, String missingAttribute) {
    }

    private RowFilter(String name, String rule, Audience audience, String where, List<String> segments,
                      List<String> slots, List<Shape> pushShapes, Set<String> columns) {
        this.name = name;
        this.rule = rule;
        this.audience = audience;
        this.where = where;
        this.segments = List.copyOf(segments);
        this.slots = List.copyOf(slots);
        this.pushShapes = List.copyOf(pushShapes);
        this.columns = Set.copyOf(columns);
    }

    String name() {
        return name;
    }

    String rule() {
        return rule;
    }

    Audience audience() {
        return audience;
    }

    String where() {
        return where;
    }

    /**
     * @param attributes the principal attributes filters may read ({@code subject}, {@code team}, configured claims)
     * @throws IllegalArgumentException naming the problem when the text is not an acceptable filter
     */
    static RowFilter compile(String name, String rule, Audience audience, String where, TableDef table,
                             Set<String> attributes) {
        if (where.toLowerCase(Locale.ROOT).contains(SLOT)) {
            throw new IllegalArgumentException("'" + SLOT + "' is reserved");
        }
        Expression root;
        try {
            root = CCJSqlParserUtil.parseCondExpression(where, false);
        } catch (JSQLParserException | RuntimeException e) {
            throw new IllegalArgumentException("not a SQL condition: " + firstLine(e));
        }
        Compiler c = new Compiler(table, attributes);
        c.condition(root);
        List<Shape> shapes = new ArrayList<>();
        for (Expression conjunct : conjuncts(root)) {
            c.shape(conjunct).ifPresent(shapes::add);
        }
        // Column nodes were rewritten in place: table columns quoted, principal attributes as numbered slots.
        String text = root.toString();
        List<String> segments = new ArrayList<>();
        List<String> slots = new ArrayList<>();
        Matcher m = SLOT_REF.matcher(text);
        int last = 0;
        while (m.find()) {
            segments.add(text.substring(last, m.start()));
            slots.add(c.slots.get(Integer.parseInt(m.group(1))));
            last = m.end();
        }
        segments.add(text.substring(last));
        return new RowFilter(name, rule, audience, where, segments, slots, shapes, Set.copyOf(c.tableColumns.values()));
    }

    Rendered render(Principal p) {
        List<String> values = new ArrayList<>(slots.size());
        for (String attribute : slots) {
            Optional<String> v = p.attribute(attribute);
            if (v.isEmpty()) {
                return new Rendered("FALSE", Set.of(), List.of(), attribute);
            }
            values.add(v.get());
        }
        StringBuilder sql = new StringBuilder(segments.get(0));
        for (int i = 0; i < values.size(); i++) {
            sql.append(literal(values.get(i))).append(segments.get(i + 1));
        }
        List<Predicate> pushable = new ArrayList<>();
        for (Shape s : pushShapes) {
            List<String> vs = new ArrayList<>();
            for (Operand o : s.values()) {
                vs.add(o.literal() != null ? o.literal() : p.attribute(o.attribute()).orElseThrow());
            }
            String shown = vs.size() == 1 && s.op() != Op.IN && s.op() != Op.NOT_IN
                    ? literal(vs.get(0)) : "(" + String.join(", ", vs.stream().map(RowFilter::literal).toList()) + ")";
            pushable.add(new Predicate(s.column(), s.op(), vs, s.column() + " " + s.op().sql() + " " + shown));
        }
        return new Rendered(sql.toString(), columns, pushable, null);
    }

    /** A SQL string literal: the value between single quotes with each quote doubled, the only escape DuckDB reads. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String firstLine(Exception e) {
        String msg = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    private static List<Expression> conjuncts(Expression e) {
        List<Expression> out = new ArrayList<>();
        if (e instanceof AndExpression and) {
            out.addAll(conjuncts(and.getLeftExpression()));
            out.addAll(conjuncts(and.getRightExpression()));
        } else if (unwrap(e) != e) {
            out.addAll(conjuncts(unwrap(e)));
        } else {
            out.add(e);
        }
        return out;
    }

    private static Expression unwrap(Expression e) {
        if (e instanceof ParenthesedExpressionList<?> pl && pl.size() == 1) {
            return (Expression) pl.get(0);
        }
        return e;
    }

    /** Validates the grammar, rewrites column nodes and records the attribute of each slot. */
    private static final class Compiler {
        private final TableDef table;
        private final Set<String> attributes;
        final List<String> slots = new ArrayList<>();
        /** Operand kinds by node, decided while validating (before the nodes are rewritten). */
        private final java.util.IdentityHashMap<Column, Operand> operands = new java.util.IdentityHashMap<>();
        private final java.util.IdentityHashMap<Column, String> tableColumns = new java.util.IdentityHashMap<>();

        Compiler(TableDef table, Set<String> attributes) {
            this.table = table;
            this.attributes = attributes;
        }

        void condition(Expression e) {
            Expression u = unwrap(e);
            if (u != e) {
                condition(u);
            } else if (e instanceof AndExpression and) {
                condition(and.getLeftExpression());
                condition(and.getRightExpression());
            } else if (e instanceof OrExpression or) {
                condition(or.getLeftExpression());
                condition(or.getRightExpression());
            } else if (e instanceof NotExpression not) {
                condition(not.getExpression());
            } else if (e instanceof EqualsTo || e instanceof NotEqualsTo || e instanceof GreaterThan
                    || e instanceof GreaterThanEquals || e instanceof MinorThan || e instanceof MinorThanEquals) {
                ComparisonOperator cmp = (ComparisonOperator) e;
                operand(cmp.getLeftExpression());
                operand(cmp.getRightExpression());
            } else if (e instanceof InExpression in && in.getRightExpression() instanceof ExpressionList<?> list
                    && !list.isEmpty()) {
                operand(in.getLeftExpression());
                list.forEach(item -> operand((Expression) item));
            } else if (e instanceof IsNullExpression isNull) {
                operand(isNull.getLeftExpression());
            } else if (e instanceof LikeExpression like && like.getEscape() == null
                    && (like.getLikeKeyWord() == LikeExpression.KeyWord.LIKE || like.getLikeKeyWord() == LikeExpression.KeyWord.ILIKE)) {
                operand(like.getLeftExpression());
                operand(like.getRightExpression());
            } else if (e instanceof Between between) {
                operand(between.getLeftExpression());
                operand(between.getBetweenExpressionStart());
                operand(between.getBetweenExpressionEnd());
            } else if (e instanceof Column col && isTableColumn(col)
                    && table.column(columnName(col)).map(ColumnDef::type).orElse(null) == ColumnType.BOOLEAN) {
                operand(col);
            } else {
                throw new IllegalArgumentException("'" + e + "' is not allowed: " + GRAMMAR);
            }
        }

        void operand(Expression e) {
            if (e instanceof StringValue || e instanceof LongValue || e instanceof DoubleValue || e instanceof NullValue
                    || e instanceof BooleanValue || e instanceof DateTimeLiteralExpression) {
                return;
            }
            if (e instanceof SignedExpression s && (s.getExpression() instanceof LongValue || s.getExpression() instanceof DoubleValue)) {
                return;
            }
            if (!(e instanceof Column col)) {
                throw new IllegalArgumentException("'" + e + "' is not allowed: " + GRAMMAR);
            }
            String qualifier = col.getTable() == null || col.getTable().getName() == null ? null
                    : col.getTable().getFullyQualifiedName().toLowerCase(Locale.ROOT);
            String name = columnName(col);
            if ("principal".equals(qualifier)) {
                if (!attributes.contains(name)) {
                    throw new IllegalArgumentException("unknown attribute principal." + name + " (known: "
                            + new java.util.TreeSet<>(attributes).stream().map(a -> "principal." + a).toList() + ")");
                }
                operands.put(col, new Operand(null, name));
                col.setTable(null);
                col.setColumnName(SLOT + slots.size() + "_x");
                slots.add(name);
                return;
            }
            if (qualifier != null) {
                throw new IllegalArgumentException("'" + col + "': only principal.<attribute> may be qualified; "
                        + "name the table's columns bare");
            }
            if (table.column(name).isEmpty()) {
                throw new IllegalArgumentException("unknown column '" + name + "' of " + table.name());
            }
            tableColumns.put(col, name);
            col.setColumnName("\"" + name + "\"");
        }

        private boolean isTableColumn(Column col) {
            return (col.getTable() == null || col.getTable().getName() == null) && table.column(columnName(col)).isPresent();
        }

        /** The conjunct as {@code column op values} when a source could apply it, judged by the catalog's rules. */
        Optional<Shape> shape(Expression e) {
            ColumnComparison<String, Operand> c = ColumnComparison.of(e,
                    x -> x instanceof Column col ? tableColumns.get(col) : null, this::value);
            if (c == null || !table.column(c.column()).orElseThrow().pushdown().containsKey(c.op())) {
                return Optional.empty();
            }
            return Optional.of(new Shape(c.column(), c.op(), c.values()));
        }

        private Operand value(Expression e) {
            if (e instanceof Column c) {
                return operands.get(c);
            }
            String literal = ColumnComparison.plainLiteral(e);
            return literal == null ? null : new Operand(literal, null);
        }

        private static String columnName(Column col) {
            String n = col.getColumnName();
            if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
                n = n.substring(1, n.length() - 1);
            }
            return n.toLowerCase(Locale.ROOT);
        }
    }
}
