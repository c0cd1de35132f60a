package io.omnisql.pgwire;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.policy.CatalogView;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.duckdb.DuckDBConnection;

/**
 * What SQL tools read about the database: {@code pg_catalog} and {@code information_schema} as one principal
 * may see them. Each distinct view of the catalog (the tables and columns {@link CatalogView} lets a principal
 * see) gets its own small in-memory DuckDB holding only that: pg_* tables filled from the view, empty tables for
 * the governed ones (so a statement can be described without fetching), and macros for the functions tools
 * call. It holds no source data and may read no files or network, so whatever a client runs there can reveal
 * nothing beyond the caller's own catalog.
 */
final class ShadowCatalog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql.pgwire");
    static final int NAMESPACE_PG_CATALOG = 11;
    static final int NAMESPACE_PUBLIC = 2200;
    static final int NAMESPACE_INFORMATION_SCHEMA = 13_000;
    static final int RELATION_OID_BASE = 20_000;
    static final int MAX_ROWS = 100_000;
    /** Real Postgres OIDs of the system catalogs clients name in {@code 'pg_class'::regclass}. */
    static final Map<String, Integer> SYSTEM_RELATIONS = Map.of("pg_class", 1259, "pg_attribute", 1249, "pg_type", 1247,
            "pg_proc", 1255, "pg_namespace", 2615, "pg_constraint", 2606, "pg_description", 2609, "pg_database", 1262,
            "pg_index", 2610, "pg_attrdef", 2604);
    private final String serverVersion;
    private final Cache<List<CatalogView.VisibleTable>, View> views = Caffeine.newBuilder().maximumSize(16)
            .removalListener((List<CatalogView.VisibleTable> k, View v, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                if (v != null) {
                    v.close();
                }
            }).build();
    private final ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "omnisql-pgwire-catalog-deadline");
        t.setDaemon(true);
        return t;
    });

    ShadowCatalog(String serverVersion) {
        this.serverVersion = serverVersion;
    }

    /** A column of an answer: its name and Postgres type. */
    record Column(String name, PgType type) {
    }

    /** Rows answered from the catalog. */
    record Rows(List<Column> columns, List<Object[]> rows) {
    }

    /** One view's database and the relation OIDs its tables got (for {@code 'name'::regclass}). */
    static final class View implements AutoCloseable {
        final DuckDBConnection db;
        final Map<String, Integer> relations;
        final List<String> schemas;

        View(DuckDBConnection db, Map<String, Integer> relations, List<String> schemas) {
            this.db = db;
            this.relations = relations;
            this.schemas = schemas;
        }

        @Override
        public void close() {
            try {
                db.close();
            } catch (SQLException e) {
                LOG.fine(() -> "closing a catalog view: " + e.getMessage());
            }
        }
    }

    /** The shadow database of a catalog view, shared by every principal who sees the same tables and columns. */
    View view(List<CatalogView.VisibleTable> tables) {
        return views.get(List.copyOf(tables), this::build);
    }

    /** A connection to the view's database on which {@code current_user} and the owner columns name {@code user}. */
    private static Connection connect(View view, String user) throws SQLException {
        Connection c = view.db.duplicate();
        try (Statement s = c.createStatement()) {
            s.execute("SET VARIABLE " + PgCatalogDdl.USER_VARIABLE + " = " + SqlTokens.literal(user));
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Runs a catalog statement (already in DuckDB's dialect) with a deadline. */
    Rows run(View view, String user, String sql, long timeoutMs) {
        try (Connection c = connect(view, user); Statement s = c.createStatement()) {
            ScheduledFuture<?> cancel = canceller.schedule(() -> cancelQuietly(s), timeoutMs, TimeUnit.MILLISECONDS);
            try (ResultSet rs = s.executeQuery(sql)) {
                return read(rs);
            } finally {
                cancel.cancel(false);
            }
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /** The result columns of a statement with {@code $n} parameters, found by preparing it over the empty tables. */
    List<Column> describe(View view, String user, String sql) {
        try (Connection c = connect(view, user); PreparedStatement p = c.prepareStatement(sql)) {
            ResultSetMetaData md = p.getMetaData();
            List<Column> out = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.add(new Column(md.getColumnLabel(i), PgType.ofDuckDb(md.getColumnTypeName(i))));
            }
            return out;
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private static void cancelQuietly(Statement s) {
        try {
            s.cancel();
        } catch (SQLException ignored) {
            // finished meanwhile
        }
    }

    private static Rows read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<Column> cols = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            cols.add(new Column(md.getColumnLabel(i), PgType.ofDuckDb(md.getColumnTypeName(i))));
        }
        List<Object[]> rows = new ArrayList<>();
        while (rs.next() && rows.size() < MAX_ROWS) {
            Object[] row = new Object[n];
            for (int i = 0; i < n; i++) {
                row[i] = value(rs.getObject(i + 1));
            }
            rows.add(row);
        }
        return new Rows(cols, rows);
    }

    private static Object value(Object v) throws SQLException {
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object item : (Object[]) a.getArray()) {
                out.add(value(item));
            }
            return out;
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime();
        }
        return v;
    }

    private static QueryException translate(SQLException e) {
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (first.contains("INTERRUPT")) {
            return new QueryException(ErrorCode.QUERY_TIMEOUT, "catalog statement exceeded its deadline");
        }
        if (first.contains("Parser Error")) {
            return new QueryException(ErrorCode.SQL_SYNTAX, first);
        }
        if (first.contains("Table with name") || first.contains("Schema with name")) {
            return new QueryException(ErrorCode.UNKNOWN_TABLE, first);
        }
        if (first.contains("Referenced column") || first.contains("column")) {
            return new QueryException(ErrorCode.UNKNOWN_COLUMN, first);
        }
        return new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, first);
    }

    private View build(List<CatalogView.VisibleTable> tables) {
        try {
            DuckDBConnection db = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
            try (Statement s = db.createStatement()) {
                s.execute("SET threads = 1");
                s.execute("SET memory_limit = '64MB'");
                s.execute("SET autoinstall_known_extensions = false");
                s.execute("SET autoload_known_extensions = false");
                s.execute("SET enable_external_access = false");
                Map<String, Integer> relations = new LinkedHashMap<>();
                List<String> schemas = fill(s, db, tables, relations);
                for (String ddl : macros(schemas)) {
                    s.execute(ddl);
                }
                try (PreparedStatement set = db.prepareStatement(
                        "INSERT INTO pg_settings (name, setting, vartype, source) VALUES (?, ?, 'string', 'default')")) {
                    for (Map.Entry<String, String> e : SessionSettings.defaults(serverVersion).entrySet()) {
                        set.setString(1, e.getKey());
                        set.setString(2, e.getValue());
                        set.execute();
                    }
                }
                s.execute("SET lock_configuration = true");
                return new View(db, Map.copyOf(relations), schemas);
            } catch (SQLException | RuntimeException e) {
                db.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new QueryException(ErrorCode.INTERNAL, "cannot build the catalog view: " + e.getMessage(), Map.of(), e);
        }
    }

    private List<String> fill(Statement s, DuckDBConnection db, List<CatalogView.VisibleTable> tables,
                              Map<String, Integer> relations) throws SQLException {
        for (String ddl : PgCatalogDdl.TABLES) {
            s.execute(ddl);
        }
        List<String> schemas = new ArrayList<>();
        for (CatalogView.VisibleTable t : tables) {
            String schema = t.name().substring(0, t.name().indexOf('.'));
            if (!schemas.contains(schema)) {
                schemas.add(schema);
            }
        }
        try (PreparedStatement ns = db.prepareStatement("INSERT INTO pg_namespace VALUES (?, ?, 10, NULL)");
             PreparedStatement cls = db.prepareStatement(PgCatalogDdl.INSERT_CLASS);
             PreparedStatement att = db.prepareStatement(PgCatalogDdl.INSERT_ATTRIBUTE);
             PreparedStatement desc = db.prepareStatement("INSERT INTO pg_description VALUES (?, ?, ?, ?)");
             PreparedStatement typ = db.prepareStatement(PgCatalogDdl.INSERT_TYPE)) {
            addNamespace(ns, NAMESPACE_PG_CATALOG, "pg_catalog");
            addNamespace(ns, NAMESPACE_PUBLIC, "public");
            addNamespace(ns, NAMESPACE_INFORMATION_SCHEMA, "information_schema");
            for (int i = 0; i < schemas.size(); i++) {
                addNamespace(ns, 16_384 + i, schemas.get(i));
                s.execute("CREATE SCHEMA " + quote(schemas.get(i)));
            }
            int oid = RELATION_OID_BASE;
            for (CatalogView.VisibleTable t : tables) {
                String schema = t.name().substring(0, t.name().indexOf('.'));
                String table = t.name().substring(t.name().indexOf('.') + 1);
                int relOid = ++oid;
                relations.put(t.name(), relOid);
                relations.putIfAbsent(table, relOid);
                cls.setInt(1, relOid);
                cls.setString(2, table);
                cls.setInt(3, 16_384 + schemas.indexOf(schema));
                cls.setInt(4, t.columns().size());
                cls.execute();
                if (t.description() != null && !t.description().isEmpty()) {
                    addDescription(desc, relOid, 0, t.description());
                }
                StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(quote(schema)).append('.').append(quote(table)).append(" (");
                for (int c = 0; c < t.columns().size(); c++) {
                    CatalogView.VisibleColumn col = t.columns().get(c);
                    // A mask answers text whatever the column's type.
                    String duckType = col.masked() ? "VARCHAR" : col.type();
                    PgType type = PgType.ofDuckDb(duckType);
                    att.setInt(1, relOid);
                    att.setString(2, col.name());
                    att.setInt(3, type.oid);
                    att.setInt(4, type.length);
                    att.setInt(5, c + 1);
                    att.setString(6, type.display);
                    att.execute();
                    if (col.description() != null && !col.description().isEmpty()) {
                        addDescription(desc, relOid, c + 1, col.description());
                    }
                    ddl.append(c == 0 ? "" : ", ").append(quote(col.name())).append(' ').append(duckType);
                }
                s.execute(ddl.append(')').toString());
            }
            for (PgType t : PgType.values()) {
                typ.setInt(1, t.oid);
                typ.setString(2, t.typname());
                typ.setInt(3, t.length);
                typ.setString(4, t.element != null ? "A" : category(t));
                typ.setInt(5, t.element == null ? 0 : t.element.oid);
                typ.setInt(6, t.array() == null ? 0 : t.array().oid);
                typ.setString(7, t.element != null ? "array_in" : t.typname() + "in");
                typ.setString(8, t.display);
                typ.execute();
            }
        }
        return List.copyOf(schemas);
    }

    private static String category(PgType t) {
        return switch (t) {
            case BOOL -> "B";
            case INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC, OID -> "N";
            case DATE, TIME, TIMESTAMP, TIMESTAMPTZ -> "D";
            case TEXT, VARCHAR, NAME, CHAR -> "S";
            default -> "U";
        };
    }

    private static void addNamespace(PreparedStatement ns, int oid, String name) throws SQLException {
        ns.setInt(1, oid);
        ns.setString(2, name);
        ns.execute();
    }

    private static void addDescription(PreparedStatement desc, int oid, int sub, String text) throws SQLException {
        desc.setInt(1, oid);
        desc.setInt(2, SYSTEM_RELATIONS.get("pg_class"));
        desc.setInt(3, sub);
        desc.setString(4, text);
        desc.execute();
    }

    private List<String> macros(List<String> schemas) {
        String schemaList = "[" + String.join(", ", schemas.stream().map(SqlTokens::literal).toList())
                + (schemas.isEmpty() ? "" : ", ") + "'pg_catalog']";
        String first = schemas.isEmpty() ? "public" : schemas.get(0);
        return PgCatalogDdl.macros(SqlTokens.literal(first), schemaList,
                SqlTokens.literal("PostgreSQL " + serverVersion + " (OmniSQL governed gateway)"));
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() {
        views.invalidateAll();
        views.cleanUp();
        canceller.shutdownNow();
    }
}
