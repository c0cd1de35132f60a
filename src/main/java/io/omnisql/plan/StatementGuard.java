package io.omnisql.plan;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AllValue;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.ArrayExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.CollateExpression;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DateValue;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.ExtractExpression;
import net.sf.jsqlparser.expression.FilterOverImpl;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.HexValue;
import net.sf.jsqlparser.expression.IntervalExpression;
import net.sf.jsqlparser.expression.LambdaExpression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.OrderByClause;
import net.sf.jsqlparser.expression.PartitionByClause;
import net.sf.jsqlparser.expression.RangeExpression;
import net.sf.jsqlparser.expression.RowConstructor;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.StructType;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.TimeValue;
import net.sf.jsqlparser.expression.TimestampValue;
import net.sf.jsqlparser.expression.TimezoneExpression;
import net.sf.jsqlparser.expression.TrimFunction;
import net.sf.jsqlparser.expression.WhenClause;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.expression.WindowElement;
import net.sf.jsqlparser.expression.WindowOffset;
import net.sf.jsqlparser.expression.WindowRange;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.ExceptOp;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.IntersectOp;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.MinusOp;
import net.sf.jsqlparser.statement.select.Offset;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Pivot;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.UnPivot;
import net.sf.jsqlparser.statement.select.UnionOp;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * What a statement may reach, checked on its syntax tree. Every node of the tree is visited (by reflection
 * over the parser's node classes, so no visitor gap can hide one) and must be of a vetted kind; every function
 * must be an {@link AnalyticFunctions analytical one}; every relation is either a CTE in scope or a name the
 * caller resolves. CTE names must be plain identifiers outside the prefixes DuckDB's own relations and the
 * engine's tables use, so no name the executed statement keeps can ever reach a DuckDB relation by itself.
 */
public final class StatementGuard {
    private static final Logger LOG = Logger.getLogger("omnisql.plan");
    /** Names DuckDB resolves to something that exists: cached source tables, per-query views, system views. */
    private static final Pattern RESERVED = Pattern.compile(
            "(?i)(src_|omni_|duckdb_|sqlite_|pg_|pragma_|information_schema|temp$|main$|system$|memory$).*");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> TIME_KEYS = Set.of("current_timestamp", "current_date", "current_time",
            "localtime", "localtimestamp");
    private static final Set<String> OPERATOR_PACKAGES = Set.of(
            "net.sf.jsqlparser.expression.operators.arithmetic",
            "net.sf.jsqlparser.expression.operators.conditional",
            "net.sf.jsqlparser.expression.operators.relational");
    /** Node kinds analytical SQL needs; anything else the parser knows (variables, sequences, hints...) is refused. */
    private static final Set<Class<?>> NODES = Set.of(
            PlainSelect.class, SetOperationList.class, AllValue.class, ParenthesedSelect.class, WithItem.class, SelectItem.class,
            AllColumns.class, AllTableColumns.class, Distinct.class, UnionOp.class, IntersectOp.class, ExceptOp.class,
            MinusOp.class, Join.class, ParenthesedFromItem.class, LateralSubSelect.class, Values.class, Pivot.class,
            UnPivot.class, GroupByElement.class, OrderByElement.class, Limit.class, Offset.class, Fetch.class,
            Table.class, Column.class, Alias.class, Alias.AliasColumn.class, ColDataType.class,
            Function.class, AnalyticExpression.class, FilterOverImpl.class, OrderByClause.class, PartitionByClause.class,
            WindowDefinition.class, WindowElement.class, WindowOffset.class, WindowRange.class,
            AnyComparisonExpression.class, ArrayConstructor.class, ArrayExpression.class, RangeExpression.class,
            CaseExpression.class, WhenClause.class, CastExpression.class, CollateExpression.class,
            ExtractExpression.class, IntervalExpression.class, TimezoneExpression.class, TimeKeyExpression.class,
            TrimFunction.class, LambdaExpression.class, NotExpression.class, SignedExpression.class,
            RowConstructor.class, RowGetExpression.class, StructType.class,
            StringValue.class, LongValue.class, DoubleValue.class, HexValue.class, NullValue.class, BooleanValue.class,
            DateValue.class, TimeValue.class, TimestampValue.class, DateTimeLiteralExpression.class);
    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = type; c != null && c.getName().startsWith("net.sf.jsqlparser."); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                        f.setAccessible(true);
                        out.add(f);
                    }
                }
            }
            return List.copyOf(out);
        }
    };

    private StatementGuard() {
    }

    /**
     * Checks every node and function of {@code statement} and returns its relations that are no CTE in scope,
     * in tree order: the references the caller must resolve (to catalog tables) and replace.
     *
     * @throws QueryException UNSUPPORTED_STATEMENT naming the construct or function that is not allowed
     */
    static List<Table> relations(Statement statement) {
        Tree tree = Tree.of(statement);
        List<Table> out = new ArrayList<>();
        for (Object node : tree.nodes) {
            if (node instanceof Table t && tree.isRelation(t) && !tree.isCte(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * The defence in depth before execution, on the tree of the statement as it will run (the rewritten tree
     * whose text DuckDB receives): every relation it reads must be one of {@code views} (this query's governed
     * views) or a CTE in scope, and every node and function is checked again.
     */
    static void verifyExecuted(Statement statement, Set<String> views) {
        Tree tree = Tree.of(statement);
        for (Object node : tree.nodes) {
            if (node instanceof Table t && tree.isRelation(t) && !tree.isCte(t)
                    && (t.getSchemaName() != null || !views.contains(t.getName()))) {
                throw refused("relation " + t.getFullyQualifiedName() + " of the executed statement is no governed view");
            }
        }
    }

    /**
     * Checks a governed view's body: one SELECT from {@code source} alone (no join, subquery or CTE), with
     * analytical functions only. Policy renders the body; this proves it cannot read anything else.
     */
    public static void verifyView(String sql, String source) {
        Statement statement = parse(sql);
        Tree tree = Tree.of(statement);
        if (!(statement instanceof PlainSelect select) || select.getJoins() != null || select.getWithItemsList() != null
                || !(select.getFromItem() instanceof Table from) || from.getSchemaName() != null
                || !source.equals(from.getName())) {
            throw refused("a governed view must select from its source table alone: " + sql);
        }
        for (Object node : tree.nodes) {
            if (node != statement && (node instanceof Select || node instanceof Table t && tree.isRelation(t) && t != from)) {
                throw refused("a governed view reads another relation: " + sql);
            }
        }
    }

    /** Exactly one statement: the parser's {@code Statement()} would stop after the first and ignore the rest. */
    private static Statement parse(String sql) {
        Statements statements;
        try {
            statements = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(true).Statements();
        } catch (Exception | Error e) {
            throw refused("a governed view does not parse: " + e.getMessage());
        }
        if (statements == null || statements.size() != 1) {
            throw refused("a governed view must be exactly one statement: " + sql);
        }
        return statements.get(0);
    }

    /** A failed check of what we built ourselves: logged in full, answered without internal names. */
    private static QueryException refused(String internal) {
        LOG.warning(() -> "statement refused by the guard: " + internal);
        return new QueryException(ErrorCode.UNSUPPORTED_STATEMENT,
                "statement refused: it would read something other than this query's governed tables");
    }

    private static QueryException unsupported(String message, Map<String, Object> details) {
        return new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, message, details);
    }

    static boolean reservedName(String name) {
        return engineName(name) || !PLAIN.matcher(name).matches();
    }

    /** Whether {@code name} (one part) may name one of DuckDB's own schemas or relations, or the engine's tables. */
    static boolean engineName(String name) {
        return RESERVED.matcher(name).matches();
    }

    /** Every node of a statement in tree order, with its parent node, each checked as it is reached. */
    private static final class Tree {
        final List<Object> nodes = new ArrayList<>();
        final Map<Object, Object> parents = new IdentityHashMap<>();

        static Tree of(Statement root) {
            Tree tree = new Tree();
            Deque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {root, null});
            while (!stack.isEmpty()) {
                Object[] top = stack.pop();
                Object node = top[0];
                if (tree.parents.containsKey(node)) {
                    continue; // a join's right-hand item is reachable twice
                }
                tree.parents.put(node, top[1]);
                tree.nodes.add(node);
                check(node);
                List<Object> children = new ArrayList<>();
                for (Field f : FIELDS.get(node.getClass())) {
                    try {
                        collect(f.get(node), children);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot read " + f, e);
                    }
                }
                if (node instanceof Collection<?> items) {
                    items.forEach(item -> collect(item, children));
                }
                for (int i = children.size() - 1; i >= 0; i--) {
                    stack.push(new Object[] {children.get(i), node});
                }
            }
            return tree;
        }

        private static void collect(Object value, List<Object> out) {
            if (value == null || value instanceof Enum<?> || value instanceof CharSequence || value instanceof Number
                    || value instanceof Boolean || value instanceof Character) {
                return;
            }
            if (value instanceof Collection<?> c && !isNode(value)) {
                c.forEach(item -> collect(item, out));
            } else if (value instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    collect(k, out);
                    collect(v, out);
                });
            } else if (value instanceof Map.Entry<?, ?> e) {
                collect(e.getKey(), out);
                collect(e.getValue(), out);
            } else if (value instanceof Object[] array) {
                for (Object item : array) {
                    collect(item, out);
                }
            } else if (isNode(value)) {
                out.add(value);
            }
        }

        private static boolean isNode(Object value) {
            String name = value.getClass().getName();
            return name.startsWith("net.sf.jsqlparser.") && !name.startsWith("net.sf.jsqlparser.parser.");
        }

        private static void check(Object node) {
            Class<?> type = node.getClass();
            if (node instanceof TableFunction f) {
                throw unsupported("table functions are not allowed: " + f, Map.of("function", String.valueOf(f.getName())));
            }
            if (!NODES.contains(type) && !OPERATOR_PACKAGES.contains(type.getPackageName())) {
                String text = String.valueOf(node);
                throw unsupported("not supported in a query: " + (text.length() > 80 ? text.substring(0, 80) + "..." : text)
                        + " (" + type.getSimpleName() + ")", Map.of("construct", type.getSimpleName()));
            }
            String function = node instanceof Function f ? (f.getMultipartName().size() == 1 ? f.getName() : String.join(".", f.getMultipartName()))
                    : node instanceof AnalyticExpression a ? a.getName() : null;
            if (function != null && !AnalyticFunctions.allows(Planner.unquote(function))) {
                throw unsupported("function " + function + " is not available: only analytical functions "
                        + "(aggregate, window, scalar, date, string and list functions) may be called",
                        Map.of("function", function));
            }
            if (node instanceof TimeKeyExpression k
                    && !TIME_KEYS.contains(k.getStringValue().replace("()", "").trim().toLowerCase(Locale.ROOT))) {
                throw unsupported(k.getStringValue() + " is not available", Map.of("function", k.getStringValue()));
            }
            if (node instanceof WithItem<?> w) {
                String name = w.getAlias() == null ? "" : Planner.unquote(w.getAlias().getName());
                if (reservedName(name)) {
                    throw unsupported("CTE name " + name + " is reserved: name a CTE by a plain identifier that no "
                            + "DuckDB relation uses (not duckdb_*, sqlite_*, pg_*, pragma_*, information_schema, or the "
                            + "engine's own prefixes)", Map.of("cte", name));
                }
            }
        }

        /** A table in a FROM position, not the qualifier of a column or of {@code t.*}. */
        boolean isRelation(Table t) {
            Object parent = parents.get(t);
            return !(parent instanceof Column) && !(parent instanceof AllTableColumns);
        }

        /** Whether {@code t} names a CTE visible where it stands (DuckDB's scoping: enclosing WITHs, earlier items). */
        boolean isCte(Table t) {
            if (t.getSchemaName() != null || t.getName() == null) {
                return false;
            }
            String name = Planner.unquote(t.getName());
            Object child = t;
            for (Object p = parents.get(t); p != null; child = p, p = parents.get(p)) {
                if (!(p instanceof Select s) || s.getWithItemsList() == null) {
                    continue;
                }
                List<WithItem<?>> items = s.getWithItemsList();
                int limit = items.size();
                for (int i = 0; i < items.size(); i++) {
                    if (items.get(i) == child) {
                        limit = items.get(i).isRecursive() ? i + 1 : i;
                    }
                }
                for (int i = 0; i < limit; i++) {
                    WithItem<?> w = items.get(i);
                    if (w.getAlias() != null && Planner.unquote(w.getAlias().getName()).equalsIgnoreCase(name)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
