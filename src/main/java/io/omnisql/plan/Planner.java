package io.omnisql.plan;

import io.omnisql.config.Catalog;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.sql.ColumnComparison;
import io.omnisql.sql.Predicate;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.WindowElement;
import net.sf.jsqlparser.expression.WindowOffset;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Parses one SELECT, resolves its table references against the catalog and finds, per reference, the
 * WHERE conjuncts a source might apply. The invariant that keeps pushdown safe: a pushed request may only
 * narrow a source's rows to a superset of what the statement needs, because DuckDB always runs the whole
 * statement on what came back.
 */
public final class Planner implements AutoCloseable {
    /** JSqlParser's own bound for its complex mode, whose cost grows about 3-4x per nesting level. */
    private static final int COMPLEX_MAX_NESTING = 10;
    private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");
    private final SecureRandom random = new SecureRandom();
    private final ParseLanes lanes = new ParseLanes();

    /** Plans under the catalog's parse timeout alone (no query deadline). */
    public QueryPlan plan(String sql, Catalog catalog) {
        return plan(sql, catalog, Long.MAX_VALUE);
    }

    /**
     * Plans one statement. Bounded before the parser sees it (length, nesting, expression depth: one linear
     * scan), then parsed and analysed on {@link ParseLanes} until the earlier of {@code deadlineNanos} and
     * the catalog's {@code parse_timeout_ms}, and abandoned there.
     *
     * @throws QueryException SQL_TOO_COMPLEX past a limit, QUERY_TIMEOUT at the query's deadline, SQL_SYNTAX, ...
     */
    public QueryPlan plan(String sql, Catalog catalog, long deadlineNanos) {
        if (sql == null || sql.isBlank()) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"sql\" must be a non-empty string");
        }
        Catalog.SqlLimits limits = catalog.defaults().sql();
        if (sql.length() > limits.maxChars()) {
            throw tooComplex("statement is " + sql.length() + " characters long; at most " + limits.maxChars()
                    + " are accepted (max_sql_chars)", "max_sql_chars", limits.maxChars(), sql.length());
        }
        StatementShape shape = StatementShape.of(sql);
        if (shape.nesting() > limits.maxNesting()) {
            throw tooComplex("parentheses nest " + shape.nesting() + " deep; at most " + limits.maxNesting()
                    + " levels are accepted (max_sql_nesting)", "max_sql_nesting", limits.maxNesting(), shape.nesting());
        }
        if (shape.depth() > limits.maxExpressionDepth()) {
            throw tooComplex("an expression chains about " + shape.depth() + " operators; at most "
                    + limits.maxExpressionDepth() + " are accepted (max_sql_expression_depth; IN (...) lists do not count)",
                    "max_sql_expression_depth", limits.maxExpressionDepth(), shape.depth());
        }
        long parseDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.parseTimeoutMs());
        boolean queryBound = deadlineNanos < parseDeadline;
        long deadline = Math.min(deadlineNanos, parseDeadline);
        Supplier<QueryException> late = () -> queryBound
                ? new QueryException(ErrorCode.QUERY_TIMEOUT, "the query deadline passed while parsing the statement")
                : ParseLanes.tooComplex("statement took longer than parse_timeout_ms (" + limits.parseTimeoutMs()
                + " ms) to parse", Map.of("limit", "parse_timeout_ms", "max", limits.parseTimeoutMs()));
        AtomicReference<CCJSqlParser> current = new AtomicReference<>();
        Runnable abandon = () -> {
            CCJSqlParser p = current.get();
            if (p != null) {
                p.interrupted = true;
            }
        };
        try {
            return lanes.analyse(() -> analyse(sql, shape, parseOnce(sql, false, current), catalog), deadline, abandon, late);
        } catch (QueryException simpleFailure) {
            // JSqlParser's own order: the complex mode only when the simple one fails and the nesting is shallow.
            // It runs on its own lane, waited for here, so statements that need it never hold the threads
            // every other statement is parsed on.
            if (simpleFailure.code() != ErrorCode.SQL_SYNTAX || shape.nesting() > COMPLEX_MAX_NESTING) {
                throw simpleFailure;
            }
            try {
                return lanes.complex(() -> analyse(sql, shape, parseOnce(sql, true, current), catalog), deadline, abandon, late);
            } catch (QueryException complexFailure) {
                // Report the simple mode's position unless the complex attempt ran out of time.
                throw complexFailure.code() == ErrorCode.SQL_SYNTAX ? simpleFailure : complexFailure;
            }
        }
    }

    private static QueryException tooComplex(String message, String limit, long max, long actual) {
        return ParseLanes.tooComplex(message, Map.of("limit", limit, "max", max, "actual", actual));
    }

    @Override
    public void close() {
        lanes.close();
    }

    private QueryPlan analyse(String sql, StatementShape shape, Statement statement, Catalog catalog) {
        if (!(statement instanceof Select select)) {
            throw new QueryException(ErrorCode.UNSUPPORTED_STATEMENT,
                    "only SELECT statements are accepted, not " + statement.getClass().getSimpleName().toUpperCase(Locale.ROOT));
        }
        Walker walker = new Walker();
        walker.getTables((Statement) select);
        if (walker.tableFunction != null) {
            throw new QueryException(ErrorCode.UNSUPPORTED_STATEMENT,
                    "table functions are not allowed: " + walker.tableFunction);
        }
        if (walker.into) {
            throw new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, "SELECT INTO is not allowed");
        }
        // Every node and function vetted; relations that are no CTE in scope are what must resolve to the catalog.
        List<Table> relations = StatementGuard.relations(select);
        String nonce = HexFormat.of().formatHex(nextBytes());
        Set<String> mentioned = shape.identifiers();
        boolean star = shape.star();

        List<Resolved> resolved = new ArrayList<>();
        for (Table t : relations) {
            String name = t.getName() == null ? "" : unquote(t.getName()).toLowerCase(Locale.ROOT);
            String schema = t.getSchemaName() == null ? null : unquote(t.getSchemaName()).toLowerCase(Locale.ROOT);
            TableDef def = resolveTable(catalog, schema, name, t);
            String alias = t.getAlias() != null ? unquote(t.getAlias().getName()) : name;
            resolved.add(new Resolved(t, def, alias, schema));
        }
        walker.link(resolved);
        List<String> warnings = new ArrayList<>();
        Set<String> allColumns = resolved.stream().flatMap(r -> r.def.columns().stream().map(ColumnDef::name))
                .collect(Collectors.toSet());
        for (Comparison c : walker.comparisons) {
            c.literalizeQuotedNames(allColumns, walker.selectAliases, warnings);
        }

        // Before the rewrite below renames the tables the column qualifiers are matched against.
        List<EquiJoin> joins = equiJoins(walker, resolved);
        List<TableRef> refs = new ArrayList<>();
        int i = 0;
        for (Resolved r : resolved) {
            String placeholder = "omni_" + nonce + "_" + i++;
            Set<String> columns = new LinkedHashSet<>();
            Set<String> named = new LinkedHashSet<>();
            for (ColumnDef c : r.def.columns()) {
                if (mentioned.contains(c.name())) {
                    named.add(c.name());
                }
                if (star || mentioned.contains(c.name())) {
                    columns.add(c.name());
                }
            }
            if (columns.isEmpty()) {
                columns.add(r.def.columns().get(0).name());
            }
            Block block = walker.blocks.get(r.table);
            List<Predicate> candidates = new ArrayList<>();
            List<String> residual = new ArrayList<>();
            if (block != null && block.select.getWhere() != null) {
                boolean nullable = block.nullSupplying.contains(r.table);
                for (Expression conjunct : conjuncts(block.select.getWhere())) {
                    Predicate p = nullable ? null : predicateOn(conjunct, r, block);
                    if (p != null) {
                        candidates.add(p);
                    } else if (touches(conjunct, r)) {
                        residual.add(conjunct.toString());
                    }
                }
            }
            refs.add(new TableRef(placeholder, r.alias, r.def, Set.copyOf(columns), Set.copyOf(named), List.copyOf(candidates),
                    List.copyOf(residual)));
        }
        // Rewrite after analysis: qualifiers first (they read the original names), then the tables.
        for (Column col : walker.columns) {
            Table qualifier = col.getTable();
            if (qualifier == null || qualifier.getName() == null) {
                continue;
            }
            String qSchema = qualifier.getSchemaName() == null ? null : unquote(qualifier.getSchemaName()).toLowerCase(Locale.ROOT);
            String qName = unquote(qualifier.getName()).toLowerCase(Locale.ROOT);
            if (qSchema != null) {
                for (Resolved r : resolved) {
                    if (r.table.getAlias() == null && r.def.name().equals(qSchema + "." + qName)) {
                        col.setTable(new Table(quoteIdent(r.alias)));
                    }
                }
            }
        }
        for (int k = 0; k < resolved.size(); k++) {
            Resolved r = resolved.get(k);
            r.table.setSchemaName(null);
            r.table.setName(refs.get(k).placeholder());
            if (r.table.getAlias() == null) {
                r.table.setAlias(new net.sf.jsqlparser.expression.Alias(quoteIdent(r.alias), false));
            }
        }
        StatementGuard.verifyExecuted(select, refs.stream().map(TableRef::placeholder).collect(Collectors.toSet()));
        return new QueryPlan(select.toString(), List.copyOf(refs), List.copyOf(warnings), joins);
    }

    /**
     * Column-to-column equalities between two catalog references of one block, from its WHERE and its ON
     * conditions, only in blocks whose every join is inner (comma, JOIN, INNER JOIN): an outer, semi, anti,
     * natural or lateral join keeps rows without a partner, so no side could be narrowed by the other's keys.
     */
    private static List<EquiJoin> equiJoins(Walker walker, List<Resolved> resolved) {
        List<EquiJoin> out = new ArrayList<>();
        for (Block block : walker.allBlocks) {
            if (block.tables.size() < 2 || !block.nullSupplying.isEmpty()) {
                continue;
            }
            List<Join> joins = block.select.getJoins() == null ? List.of() : block.select.getJoins();
            if (joins.stream().anyMatch(j -> j.isOuter() || j.isLeft() || j.isRight() || j.isFull() || j.isSemi()
                    || j.isNatural() || j.isApply() || j.isCross() || j.isWindowJoin()
                    || j.getUsingColumns() != null && !j.getUsingColumns().isEmpty())) {
                continue;
            }
            List<Expression> conditions = new ArrayList<>();
            if (block.select.getWhere() != null) {
                conditions.addAll(conjuncts(block.select.getWhere()));
            }
            for (Join j : joins) {
                if (j.getOnExpressions() != null) {
                    j.getOnExpressions().forEach(on -> conditions.addAll(conjuncts(on)));
                }
            }
            for (Expression e : conditions) {
                if (!(e instanceof EqualsTo eq) || !(eq.getLeftExpression() instanceof Column)
                        || !(eq.getRightExpression() instanceof Column)) {
                    continue;
                }
                for (Resolved a : block.tables) {
                    ColumnDef ca = columnOf(eq.getLeftExpression(), a, block);
                    if (ca == null) {
                        continue;
                    }
                    for (Resolved b : block.tables) {
                        ColumnDef cb = b == a ? null : columnOf(eq.getRightExpression(), b, block);
                        if (cb != null && ca.type() == cb.type()) {
                            out.add(new EquiJoin(resolved.indexOf(a), ca.name(), resolved.indexOf(b), cb.name()));
                        }
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private byte[] nextBytes() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return b;
    }

    private static Statement parseOnce(String sql, boolean complex, AtomicReference<CCJSqlParser> current) {
        CCJSqlParser parser = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(complex);
        current.set(parser);
        Statements statements;
        try {
            statements = parser.Statements();
        } catch (ParseException e) {
            Token t = e.currentToken == null ? null : (e.currentToken.next != null ? e.currentToken.next : e.currentToken);
            int line = t == null ? 0 : t.beginLine;
            int column = t == null ? 0 : t.beginColumn;
            String near = t == null || t.image == null || t.image.isEmpty() ? "end of input" : "'" + abbreviate(t.image) + "'";
            throw syntax("syntax error at line " + line + ", column " + column + " near " + near, line, column);
        } catch (RuntimeException e) {
            Matcher m = POSITION.matcher(String.valueOf(e.getMessage()));
            int line = m.find() ? Integer.parseInt(m.group(1)) : 0;
            int column = line > 0 ? Integer.parseInt(m.group(2)) : 0;
            throw syntax("syntax error" + (line > 0 ? " at line " + line + ", column " + column : ""), line, column);
        }
        if (parser.interrupted) {
            throw syntax("parsing was abandoned", 0, 0);
        }
        if (statements == null || statements.isEmpty()) {
            throw syntax("no statement found", 1, 1);
        }
        if (statements.size() > 1) {
            throw new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, "exactly one statement is accepted, got " + statements.size());
        }
        return statements.get(0);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static QueryException syntax(String message, int line, int column) {
        return new QueryException(ErrorCode.SQL_SYNTAX, message, Map.of("line", line, "column", column));
    }

    private static TableDef resolveTable(Catalog catalog, String schema, String name, Table t) {
        if (schema != null) {
            return catalog.table(schema + "." + name).orElseThrow(() -> unknownTable(t.getFullyQualifiedName(), catalog));
        }
        List<TableDef> matches = catalog.tables().values().stream()
                .filter(d -> d.name().substring(d.name().indexOf('.') + 1).equals(name)).toList();
        if (matches.size() != 1) {
            throw unknownTable(t.getFullyQualifiedName(), catalog);
        }
        return matches.get(0);
    }

    private static QueryException unknownTable(String name, Catalog catalog) {
        if (java.util.Arrays.stream(name.split("\\.")).map(Planner::unquote).anyMatch(StatementGuard::engineName)) {
            return new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, "DuckDB's own catalog, settings and tables are "
                    + "not reachable: " + name + " is no catalog table (catalog tables: "
                    + String.join(", ", catalog.tables().keySet()) + ")", Map.of("table", name));
        }
        return new QueryException(ErrorCode.UNKNOWN_TABLE, "unknown table " + name + " (catalog tables: "
                + String.join(", ", catalog.tables().keySet()) + ")", Map.of("table", name));
    }

    private static List<Expression> conjuncts(Expression e) {
        List<Expression> out = new ArrayList<>();
        collect(e, out);
        return out;
    }

    private static void collect(Expression e, List<Expression> out) {
        if (e instanceof AndExpression and) {
            collect(and.getLeftExpression(), out);
            collect(and.getRightExpression(), out);
        } else if (e instanceof net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList<?> pl
                && pl.size() == 1) {
            collect(pl.get(0), out);
        } else {
            out.add(e);
        }
    }

    /** The conjunct as a pushable predicate on {@code r}, or null when it is anything else. */
    private static Predicate predicateOn(Expression e, Resolved r, Block block) {
        ColumnComparison<ColumnDef, String> c = ColumnComparison.of(e, x -> columnOf(x, r, block), ColumnComparison::literal);
        return c == null ? null : new Predicate(c.column().name(), c.op(), c.values(), e.toString());
    }

    /** The column of {@code r} that {@code e} names, or null; unqualified names must be unambiguous in the block. */
    private static ColumnDef columnOf(Expression e, Resolved r, Block block) {
        if (!(e instanceof Column col)) {
            return null;
        }
        String name = unquote(col.getColumnName()).toLowerCase(Locale.ROOT);
        Table q = col.getTable();
        if (q != null && q.getName() != null) {
            String qName = unquote(q.getName());
            String qSchema = q.getSchemaName() == null ? null : unquote(q.getSchemaName()).toLowerCase(Locale.ROOT);
            boolean matches = qSchema == null ? qName.equalsIgnoreCase(r.alias)
                    : r.table.getAlias() == null && (qSchema + "." + qName.toLowerCase(Locale.ROOT)).equals(r.def.name());
            return matches ? r.def.column(name).orElse(null) : null;
        }
        ColumnDef c = r.def.column(name).orElse(null);
        if (c == null) {
            return null;
        }
        long owners = block.tables.stream().filter(t -> t.def.column(name).isPresent()).count();
        return owners == 1 && block.others == 0 ? c : null;
    }

    private static boolean touches(Expression e, Resolved r) {
        ColumnProbe probe = new ColumnProbe(r);
        probe.getTables(e);
        return probe.hit;
    }

    /**
     * Visits a window function without JSqlParser's finder, which dereferences absent frame parts
     * ({@code ROWS UNBOUNDED PRECEDING} has no range; {@code UNBOUNDED} no expression) and throws.
     */
    private static <S> void visitWindowed(TablesNamesFinder<Void> finder, AnalyticExpression expr, S context,
                                          java.util.function.BiConsumer<AnalyticExpression, S> superVisit) {
        WindowElement window = expr.getWindowElement();
        expr.setWindowElement(null);
        try {
            superVisit.accept(expr, context);
        } finally {
            expr.setWindowElement(window);
        }
        if (window == null) {
            return;
        }
        List<WindowOffset> offsets = new ArrayList<>();
        offsets.add(window.getOffset());
        if (window.getRange() != null) {
            offsets.add(window.getRange().getStart());
            offsets.add(window.getRange().getEnd());
        }
        for (WindowOffset o : offsets) {
            if (o != null && o.getExpression() != null) {
                o.getExpression().accept(finder, context);
            }
        }
    }

    /** Finds whether an expression mentions a column of one reference (qualified by its alias, or bare). */
    private static final class ColumnProbe extends TablesNamesFinder<Void> {
        private final Resolved ref;
        boolean hit;

        ColumnProbe(Resolved ref) {
            this.ref = ref;
        }

        @Override
        public <S> Void visit(Column column, S context) {
            Table q = column.getTable();
            hit |= q != null && q.getName() != null
                    ? unquote(q.getName()).equalsIgnoreCase(ref.alias)
                    : ref.def.column(unquote(column.getColumnName())).isPresent();
            return null;
        }

        @Override
        public <S> Void visit(AnalyticExpression expr, S context) {
            visitWindowed(this, expr, context, super::visit);
            return null;
        }

        /** JSqlParser's finder does not descend into IS [NOT] NULL: without this such filters vanished from explain. */
        @Override
        public <S> Void visit(net.sf.jsqlparser.expression.operators.relational.IsNullExpression isNull, S context) {
            isNull.getLeftExpression().accept(this, context);
            return null;
        }
    }

    static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("`") && s.endsWith("`"))) {
            return s.substring(1, s.length() - 1).replace("\"\"", "\"");
        }
        return s;
    }

    static String quoteIdent(String s) {
        return s.matches("[a-z_][a-z0-9_]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private record Resolved(Table table, TableDef def, String alias, String schema) {
    }

    /** A SELECT block: the catalog tables directly in its FROM, and those on an outer join's null side. */
    private static final class Block {
        final PlainSelect select;
        final List<Resolved> tables = new ArrayList<>();
        final Set<Table> nullSupplying = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        int others;

        Block(PlainSelect select) {
            this.select = select;
        }
    }

    /** A comparison whose operands may be double-quoted names meant as strings (the product sheet's "In Progress"). */
    private record Comparison(BinaryExpression binary, InExpression in) {
        void literalizeQuotedNames(Set<String> columns, Set<String> aliases, List<String> warnings) {
            if (binary != null) {
                Expression l = literalized(binary.getLeftExpression(), columns, aliases, warnings);
                Expression rr = literalized(binary.getRightExpression(), columns, aliases, warnings);
                binary.setLeftExpression(l);
                binary.setRightExpression(rr);
            } else if (in.getRightExpression() instanceof ExpressionList<?> list) {
                @SuppressWarnings("unchecked")
                ExpressionList<Expression> items = (ExpressionList<Expression>) list;
                for (int i = 0; i < items.size(); i++) {
                    items.set(i, literalized(items.get(i), columns, aliases, warnings));
                }
            }
        }

        private static Expression literalized(Expression e, Set<String> columns, Set<String> aliases, List<String> warnings) {
            if (e instanceof Column c && c.getTable() == null && c.getColumnName().startsWith("\"")
                    && c.getColumnName().endsWith("\"") && c.getColumnName().length() >= 2) {
                String text = unquote(c.getColumnName());
                if (!columns.contains(text.toLowerCase(Locale.ROOT)) && !aliases.contains(text.toLowerCase(Locale.ROOT))) {
                    warnings.add("\"" + text + "\" names no column; read as the string '" + text
                            + "' (standard SQL writes strings in single quotes)");
                    return new StringValue(text);
                }
            }
            return e;
        }
    }

    /** Collects columns, blocks and comparisons in one pass over the statement. */
    private final class Walker extends TablesNamesFinder<Void> {
        final List<Column> columns = new ArrayList<>();
        final List<Comparison> comparisons = new ArrayList<>();
        final Set<String> selectAliases = new java.util.HashSet<>();
        final Map<Table, Block> blocks = new IdentityHashMap<>();
        final List<Block> allBlocks = new ArrayList<>();
        String tableFunction;
        boolean into;

        @Override
        public <S> Void visit(Column column, S context) {
            columns.add(column);
            return super.visit(column, context);
        }

        @Override
        public <S> Void visit(AnalyticExpression expr, S context) {
            visitWindowed(this, expr, context, super::visit);
            return null;
        }

        @Override
        public <S> Void visit(TableFunction tableFunction, S context) {
            this.tableFunction = tableFunction.toString();
            return super.visit(tableFunction, context);
        }

        @Override
        public <S> Void visit(PlainSelect select, S context) {
            if (select.getIntoTables() != null && !select.getIntoTables().isEmpty()) {
                into = true;
            }
            if (select.getSelectItems() != null) {
                select.getSelectItems().forEach(item -> {
                    if (item.getAlias() != null) {
                        selectAliases.add(unquote(item.getAlias().getName()).toLowerCase(Locale.ROOT));
                    }
                });
            }
            Block block = new Block(select);
            allBlocks.add(block);
            List<Object> items = new ArrayList<>();
            items.add(select.getFromItem());
            List<Join> joins = select.getJoins() == null ? List.of() : select.getJoins();
            for (int i = 0; i < joins.size(); i++) {
                Join j = joins.get(i);
                items.add(j.getFromItem());
                if (j.isRight() || j.isFull()) {
                    for (int k = 0; k <= i; k++) {
                        if (items.get(k) instanceof Table t) {
                            block.nullSupplying.add(t);
                        }
                    }
                }
                if ((j.isLeft() || j.isFull()) && j.getFromItem() instanceof Table t) {
                    block.nullSupplying.add(t);
                }
            }
            for (Object item : items) {
                if (item instanceof Table t) {
                    blocks.put(t, block);
                } else if (item != null) {
                    block.others++;
                }
            }
            return super.visit(select, context);
        }

        @Override
        public void visitBinaryExpression(BinaryExpression expr) {
            if (expr instanceof ComparisonOperator) {
                comparisons.add(new Comparison(expr, null));
            }
            super.visitBinaryExpression(expr);
        }

        @Override
        public <S> Void visit(InExpression in, S context) {
            comparisons.add(new Comparison(null, in));
            return super.visit(in, context);
        }

        /** Links each block's resolved tables after resolution (blocks are built before tables resolve). */
        void link(List<Resolved> resolved) {
            for (Resolved r : resolved) {
                Block b = blocks.get(r.table);
                if (b != null) {
                    b.tables.add(r);
                }
            }
            for (Block b : allBlocks) {
                // CTE references and derived tables in FROM are not catalog tables: names there stay ambiguous.
                b.others += (int) blocks.entrySet().stream()
                        .filter(en -> en.getValue() == b && resolved.stream().noneMatch(r -> r.table == en.getKey()))
                        .count();
            }
        }
    }
}
