package io.omnisql.pgwire;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.QueryResult;
import io.omnisql.gateway.QueryAnswer;
import io.omnisql.gateway.QueryRequest;
import io.omnisql.identity.Principal;
import io.omnisql.observe.Metrics;
import io.omnisql.observe.QueryLog;
import io.omnisql.observe.RequestTrace;
import io.omnisql.pgwire.SqlTokens.Token;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocket;

/** One client connection: startup and authentication, then simple and extended query messages until Terminate. */
final class PgSession {
    private static final Logger LOG = Logger.getLogger("omnisql.pgwire");
    private static final int PROTOCOL_3 = 196_608;
    private static final int SSL_REQUEST = 80_877_103;
    private static final int GSS_REQUEST = 80_877_104;
    private static final int CANCEL_REQUEST = 80_877_102;
    private static final int STARTUP_TIMEOUT_MS = 30_000;
    private final PgServer server;
    private final PgServer.Services services;
    private Socket socket;
    private PgIn in;
    private PgOut out;
    private int pid;
    private int secret;
    private String token;
    private String user;
    private Principal principal;
    private SessionSettings settings;
    private char transaction = 'I';
    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    private final Object cancelLock = new Object();
    private Thread worker;
    private boolean cancelled;

    /** A parsed statement: its tokens, declared parameter types and how many parameters it uses. */
    private record Prepared(List<Token> tokens, int[] paramTypes, int paramCount) {
        int paramType(int i) {
            return i < paramTypes.length ? paramTypes[i] : 0;
        }
    }

    /** A bound statement; its outcome is computed on first Describe or Execute, then sent in pieces. */
    private static final class Portal {
        final Prepared statement;
        final String sql;
        final short[] formats;
        Outcome outcome;
        int sent;

        Portal(Prepared statement, String sql, short[] formats) {
            this.statement = statement;
            this.sql = sql;
            this.formats = formats;
        }

        int format(int column) {
            return formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[column];
        }
    }

    /** A statement's answer: columns (null for a command), rows, command tag and notices to send first. */
    private record Outcome(List<ShadowCatalog.Column> columns, List<Object[]> rows, String tag, List<String[]> notices) {
        static Outcome command(String tag) {
            return new Outcome(null, List.of(), tag, List.of());
        }
    }

    PgSession(PgServer server, Socket socket) {
        this.server = server;
        this.services = server.services;
        this.socket = socket;
    }

    void run() {
        try {
            socket.setTcpNoDelay(true);
            // A client that connects and never completes startup must not hold a thread and a slot forever.
            socket.setSoTimeout(STARTUP_TIMEOUT_MS);
            in = new PgIn(socket.getInputStream());
            out = new PgOut(socket.getOutputStream());
            if (startup()) {
                socket.setSoTimeout(0);
                loop();
            }
        } catch (EOFException | SocketException | java.net.SocketTimeoutException e) {
            // the client went away
        } catch (WireError e) {
            sendError(e);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "pgwire session ended", e);
        } finally {
            server.unregister(pid);
            close();
        }
    }

    /** Answers a connection the server will not serve with one FATAL error, then closes it. */
    static void refuse(Socket socket, String sqlState, String message) {
        try (socket) {
            writeError(new PgOut(socket.getOutputStream()), new WireError(sqlState, message, null, true));
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Negotiates SSL, reads the startup packet, authenticates; false when the connection was a cancel request. */
    private boolean startup() throws IOException {
        Map<String, String> params = new HashMap<>();
        while (true) {
            ByteBuffer b = in.startup();
            int code = b.getInt();
            if (code == SSL_REQUEST) {
                if (services.tls() == null) {
                    out.raw('N');
                } else {
                    out.raw('S');
                    SSLSocket tls = (SSLSocket) services.tls().getSocketFactory().createSocket(socket,
                            socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    socket = tls;
                    in = new PgIn(socket.getInputStream());
                    out = new PgOut(socket.getOutputStream());
                }
            } else if (code == GSS_REQUEST) {
                out.raw('N');
            } else if (code == CANCEL_REQUEST) {
                server.cancel(b.getInt(), b.getInt());
                return false;
            } else if (code == PROTOCOL_3) {
                while (b.hasRemaining()) {
                    String key = PgIn.cstring(b);
                    if (key.isEmpty()) {
                        break;
                    }
                    params.put(key, PgIn.cstring(b));
                }
                break;
            } else {
                throw new WireError(SqlStates.PROTOCOL_VIOLATION, "unsupported frontend protocol " + (code >> 16) + "."
                        + (code & 0xffff) + ": OmniSQL speaks protocol 3.0", null, true);
            }
        }
        user = params.getOrDefault("user", "");
        out.begin('R').int32(3).end();
        out.flush();
        PgIn.Frame f = in.next();
        if (f.type() != 'p') {
            throw new WireError(SqlStates.PROTOCOL_VIOLATION, "expected a password message", null, true);
        }
        token = PgIn.cstring(f.body());
        principal = authenticate();
        if (!user.isEmpty() && !user.equals(principal.subject())) {
            throw new WireError(SqlStates.INVALID_AUTHORIZATION, "UNAUTHENTICATED: user \"" + user
                    + "\" does not match the token's subject; connect as the token's subject", null, true);
        }
        user = principal.subject();
        settings = new SessionSettings(PgServer.SERVER_VERSION, user);
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!List.of("user", "database", "options", "replication").contains(e.getKey())) {
                try {
                    settings.set(e.getKey(), e.getValue());
                } catch (QueryException ex) {
                    throw new WireError(SqlStates.INVALID_PARAMETER_VALUE, ex.getMessage(), null, true);
                }
            }
        }
        pid = server.register(this);
        secret = server.secret();
        out.begin('R').int32(0).end();
        for (Map.Entry<String, String> e : settings.all().entrySet()) {
            if (SessionSettings.REPORTED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                parameterStatus(e.getKey(), e.getValue());
            }
        }
        out.begin('K').int32(pid).int32(secret).end();
        ready();
        return true;
    }

    /** Validates the session's token (again on every governed statement: a token that expired ends the session). */
    private Principal authenticate() {
        try {
            return services.authenticator().authenticate("Bearer " + token);
        } catch (QueryException e) {
            throw new WireError(SqlStates.INVALID_PASSWORD, "UNAUTHENTICATED: " + e.getMessage()
                    + " (the password must be a valid bearer token)", null, true);
        }
    }

    private void loop() throws IOException {
        boolean skipping = false;
        while (true) {
            PgIn.Frame f = in.next();
            if (f.type() == 'X') {
                return;
            }
            if (skipping && f.type() != 'S') {
                continue;
            }
            try {
                switch (f.type()) {
                    case 'Q' -> simpleQuery(PgIn.cstring(f.body()));
                    case 'P' -> parse(f.body());
                    case 'B' -> bind(f.body());
                    case 'D' -> describe(f.body());
                    case 'E' -> execute(f.body());
                    case 'C' -> closeObject(f.body());
                    case 'H' -> out.flush();
                    case 'S' -> {
                        skipping = false;
                        if (transaction == 'I') {
                            portals.clear();
                        }
                        ready();
                    }
                    case 'd', 'c', 'f' -> throw new WireError(SqlStates.FEATURE_NOT_SUPPORTED, "COPY is not supported");
                    default -> throw new WireError(SqlStates.PROTOCOL_VIOLATION, "unknown message type '" + f.type() + "'",
                            null, true);
                }
            } catch (WireError e) {
                if (e.fatal) {
                    throw e;
                }
                sendError(e);
                failTransaction();
                if (f.type() == 'Q') {
                    ready();
                } else {
                    skipping = true;
                }
            }
        }
    }

    private void failTransaction() {
        if (transaction == 'T') {
            transaction = 'E';
        }
    }

    private void simpleQuery(String sql) throws IOException {
        List<List<Token>> parts = SqlTokens.statements(SqlTokens.lex(sql));
        if (parts.isEmpty()) {
            out.begin('I').end();
        }
        for (List<Token> statement : parts) {
            Outcome o = run(statement, SqlTokens.text(statement));
            sendOutcome(o, null, 0, Integer.MAX_VALUE, true);
        }
        portals.remove("");
        ready();
    }

    private void parse(ByteBuffer b) throws IOException {
        String name = PgIn.cstring(b);
        String sql = PgIn.cstring(b);
        int n = b.getShort();
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = b.getInt();
        }
        List<List<Token>> parts = SqlTokens.statements(SqlTokens.lex(sql));
        if (parts.size() > 1) {
            throw new WireError("42601", "SQL_SYNTAX: cannot insert multiple commands into a prepared statement");
        }
        List<Token> tokens = parts.isEmpty() ? List.of() : parts.get(0);
        if (!name.isEmpty() && statements.containsKey(name)) {
            throw new WireError("42P05", "prepared statement \"" + name + "\" already exists");
        }
        statements.put(name, new Prepared(tokens, types, Math.max(n, SqlTokens.parameterCount(tokens))));
        out.begin('1').end();
    }

    private void bind(ByteBuffer b) throws IOException {
        String portal = PgIn.cstring(b);
        String name = PgIn.cstring(b);
        Prepared p = statements.get(name);
        if (p == null) {
            throw new WireError(SqlStates.INVALID_STATEMENT_NAME, "prepared statement \"" + name + "\" does not exist");
        }
        short[] paramFormats = shorts(b);
        int n = b.getShort();
        if (n != p.paramCount()) {
            throw new WireError(SqlStates.PROTOCOL_VIOLATION, "bind message supplies " + n + " parameters, but prepared statement \""
                    + name + "\" requires " + p.paramCount());
        }
        List<String> literals = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = b.getInt();
            byte[] v = null;
            if (len >= 0) {
                v = new byte[len];
                b.get(v);
            }
            int format = paramFormats.length == 0 ? 0 : paramFormats.length == 1 ? paramFormats[0] : paramFormats[i];
            try {
                literals.add(PgParams.literal(v, p.paramType(i), format));
            } catch (QueryException e) {
                throw WireError.of(e, null);
            } catch (IllegalArgumentException e) {
                throw new WireError("22021", "BAD_REQUEST: " + e.getMessage());
            }
        }
        short[] resultFormats = shorts(b);
        String sql = n == 0 ? SqlTokens.text(p.tokens()) : PgParams.substitute(p.tokens(), literals);
        portals.put(portal, new Portal(p, sql, resultFormats));
        out.begin('2').end();
    }

    private static short[] shorts(ByteBuffer b) {
        short[] s = new short[b.getShort()];
        for (int i = 0; i < s.length; i++) {
            s[i] = b.getShort();
        }
        return s;
    }

    private void describe(ByteBuffer b) throws IOException {
        char kind = (char) b.get();
        String name = PgIn.cstring(b);
        if (kind == 'S') {
            Prepared p = statements.get(name);
            if (p == null) {
                throw new WireError(SqlStates.INVALID_STATEMENT_NAME, "prepared statement \"" + name + "\" does not exist");
            }
            out.begin('t').int16(p.paramCount());
            for (int i = 0; i < p.paramCount(); i++) {
                out.int32(p.paramType(i) == 0 ? PgType.TEXT.oid : p.paramType(i));
            }
            out.end();
            List<ShadowCatalog.Column> columns = describeStatement(p);
            if (columns == null) {
                out.begin('n').end();
            } else {
                rowDescription(columns, null);
            }
            return;
        }
        Portal portal = portal(name);
        if (portal.outcome == null && isQuery(portal.statement.tokens())) {
            portal.outcome = run(portal.statement.tokens(), portal.sql);
        }
        List<ShadowCatalog.Column> columns = portal.outcome != null ? portal.outcome.columns() : describeCommand(portal.statement.tokens());
        if (columns == null) {
            out.begin('n').end();
        } else {
            rowDescription(columns, portal);
        }
    }

    private Portal portal(String name) {
        Portal portal = portals.get(name);
        if (portal == null) {
            throw new WireError(SqlStates.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
        }
        return portal;
    }

    private void execute(ByteBuffer b) throws IOException {
        String name = PgIn.cstring(b);
        int maxRows = b.getInt();
        Portal portal = portal(name);
        if (portal.statement.tokens().stream().noneMatch(Token::significant)) {
            out.begin('I').end();
            return;
        }
        if (portal.outcome == null) {
            portal.outcome = run(portal.statement.tokens(), portal.sql);
        }
        portal.sent = sendOutcome(portal.outcome, portal, portal.sent, maxRows <= 0 ? Integer.MAX_VALUE : maxRows, false);
    }

    private void closeObject(ByteBuffer b) throws IOException {
        char kind = (char) b.get();
        String name = PgIn.cstring(b);
        if (kind == 'S') {
            statements.remove(name);
        } else {
            portals.remove(name);
        }
        out.begin('3').end();
    }

    /** Sends up to {@code limit} rows from {@code from}; returns how many rows have been sent in all. */
    private int sendOutcome(Outcome o, Portal portal, int from, int limit, boolean describe) throws IOException {
        if (from == 0) {
            for (String[] notice : o.notices()) {
                notice(notice[0], notice[1], notice[2]);
            }
        }
        if (o.columns() == null) {
            out.begin('C').cstring(o.tag()).end();
            return 0;
        }
        if (describe) {
            rowDescription(o.columns(), portal);
        }
        int end = (int) Math.min((long) from + limit, o.rows().size());
        java.time.ZoneId zone = settings.zone();
        for (int r = from; r < end; r++) {
            Object[] row = o.rows().get(r);
            out.begin('D').int16(row.length);
            for (int c = 0; c < row.length; c++) {
                PgType type = o.columns().get(c).type();
                boolean binary = portal != null && portal.format(c) == 1;
                out.value(binary ? PgCodec.binary(row[c], type, zone) : PgCodec.text(row[c], type, zone));
            }
            out.end();
        }
        if (end < o.rows().size()) {
            out.begin('s').end();
        } else {
            out.begin('C').cstring(o.tag()).end();
        }
        return end;
    }

    private void rowDescription(List<ShadowCatalog.Column> columns, Portal portal) {
        out.begin('T').int16(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ShadowCatalog.Column c = columns.get(i);
            out.cstring(c.name()).int32(0).int16(0).int32(c.type().oid).int16(c.type().length).int32(-1)
                    .int16(portal == null ? 0 : portal.format(i));
        }
        try {
            out.end();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void ready() throws IOException {
        out.begin('Z').int8(transaction).end();
        out.flush();
    }

    private void parameterStatus(String name, String value) throws IOException {
        out.begin('S').cstring(name).cstring(value).end();
    }

    private void notice(String severity, String code, String message) throws IOException {
        out.begin('N').int8('S').cstring(severity).int8('V').cstring(severity).int8('C').cstring(code)
                .int8('M').cstring(message).int8(0).end();
    }

    private void sendError(WireError e) {
        try {
            writeError(out, e);
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    private static void writeError(PgOut out, WireError e) throws IOException {
        String severity = e.fatal ? "FATAL" : "ERROR";
        out.begin('E').int8('S').cstring(severity).int8('V').cstring(severity).int8('C').cstring(e.sqlState)
                .int8('M').cstring(e.getMessage());
        if (e.detail != null) {
            out.int8('D').cstring(e.detail);
        }
        out.int8(0).end();
        out.flush();
    }

    // ---- statements ----

    private static String firstWord(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.significant()) {
                return t.kind() == SqlTokens.Kind.WORD ? t.text().toUpperCase(Locale.ROOT) : t.text();
            }
        }
        return "";
    }

    private static boolean isQuery(List<Token> tokens) {
        return switch (firstWord(tokens)) {
            case "SELECT", "WITH", "VALUES", "TABLE", "(" -> true;
            default -> false;
        };
    }

    private Outcome run(List<Token> tokens, String sql) {
        String first = firstWord(tokens);
        boolean ends = first.equals("COMMIT") || first.equals("END") || first.equals("ROLLBACK") || first.equals("ABORT");
        if (transaction == 'E' && !ends) {
            throw new WireError(SqlStates.IN_FAILED_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block");
        }
        try {
            return switch (first) {
                case "SET" -> set(SqlTokens.significant(tokens));
                case "RESET" -> reset(SqlTokens.significant(tokens));
                case "SHOW" -> show(SqlTokens.significant(tokens));
                case "BEGIN", "START" -> {
                    transaction = 'T';
                    yield Outcome.command("BEGIN");
                }
                case "COMMIT", "END", "ROLLBACK", "ABORT" -> {
                    boolean failed = transaction == 'E';
                    transaction = 'I';
                    portals.keySet().removeIf(k -> !k.isEmpty());
                    yield Outcome.command(first.equals("COMMIT") || first.equals("END") ? (failed ? "ROLLBACK" : "COMMIT") : "ROLLBACK");
                }
                case "SAVEPOINT", "RELEASE" -> Outcome.command(first);
                case "DISCARD" -> Outcome.command("DISCARD ALL");
                case "DEALLOCATE" -> {
                    List<Token> sig = SqlTokens.significant(tokens);
                    String target = sig.get(sig.size() - 1).identifier();
                    if ("all".equals(target)) {
                        statements.clear();
                    } else if (target != null) {
                        statements.remove(target);
                    }
                    yield Outcome.command("DEALLOCATE");
                }
                default -> isQuery(tokens) && CatalogSql.isCatalogQuery(tokens) ? catalogQuery(sql) : governed(sql);
            };
        } catch (QueryException e) {
            throw WireError.of(e, null);
        }
    }

    private Outcome set(List<Token> t) {
        int i = 1;
        if (i < t.size() && (t.get(i).isWord("SESSION") || t.get(i).isWord("LOCAL"))) {
            i++;
        }
        if (i < t.size() && (t.get(i).isWord("TRANSACTION") || t.get(i).isWord("CHARACTERISTICS"))) {
            return Outcome.command("SET");
        }
        String name;
        if (i + 1 < t.size() && t.get(i).isWord("TIME") && t.get(i + 1).isWord("ZONE")) {
            name = "TimeZone";
            i += 2;
        } else {
            StringBuilder n = new StringBuilder();
            while (i < t.size() && !t.get(i).isWord("TO") && !t.get(i).text().equals("=")) {
                String id = t.get(i).identifier();
                n.append(id != null ? id : t.get(i).text());
                i++;
            }
            name = n.toString();
            i++;
        }
        if (name.isEmpty() || i > t.size()) {
            throw new WireError("42601", "SQL_SYNTAX: SET needs a name and a value: SET name = value");
        }
        List<String> values = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (; i < t.size(); i++) {
            Token tok = t.get(i);
            if (tok.text().equals(",")) {
                values.add(current.toString());
                current = new StringBuilder();
            } else {
                current.append(tok.kind() == SqlTokens.Kind.STRING ? tok.stringValue() : tok.text());
            }
        }
        values.add(current.toString());
        String value = String.join(", ", values);
        if (value.equalsIgnoreCase("DEFAULT") || value.equalsIgnoreCase("LOCAL")) {
            settings.reset(name, PgServer.SERVER_VERSION);
            return Outcome.command("SET");
        }
        String canonical = settings.set(name, value);
        if (SessionSettings.REPORTED.contains(canonical.toLowerCase(Locale.ROOT))) {
            try {
                parameterStatus(canonical, settings.get(canonical));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return Outcome.command("SET");
    }

    private Outcome reset(List<Token> t) {
        if (t.size() > 1) {
            String name = t.get(1).identifier();
            if ("all".equals(name)) {
                settings = new SessionSettings(PgServer.SERVER_VERSION, user);
            } else {
                settings.reset(SqlTokens.text(t.subList(1, t.size())).replace(" ", ""), PgServer.SERVER_VERSION);
            }
        }
        return Outcome.command("RESET");
    }

    private Outcome show(List<Token> t) {
        String name = SqlTokens.text(t.subList(1, t.size())).replace(" ", "").toLowerCase(Locale.ROOT).replace("\"", "");
        if (name.equals("all")) {
            List<Object[]> rows = new ArrayList<>();
            settings.all().forEach((k, v) -> rows.add(new Object[] {k, v, ""}));
            return new Outcome(List.of(new ShadowCatalog.Column("name", PgType.TEXT), new ShadowCatalog.Column("setting", PgType.TEXT),
                    new ShadowCatalog.Column("description", PgType.TEXT)), rows, "SHOW", List.of());
        }
        if (name.equals("transactionisolationlevel")) {
            name = "transaction_isolation";
        } else if (name.equals("timezone")) {
            name = "TimeZone";
        }
        String value = settings.get(name);
        if (value == null) {
            throw new WireError(SqlStates.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
        }
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {value});
        return new Outcome(List.of(new ShadowCatalog.Column(settings.canonical(name), PgType.TEXT)), rows, "SHOW", List.of());
    }

    private List<ShadowCatalog.Column> describeCommand(List<Token> tokens) {
        if (firstWord(tokens).equals("SHOW")) {
            List<Token> t = SqlTokens.significant(tokens);
            return List.of(new ShadowCatalog.Column(t.size() > 1 ? t.get(1).text() : "setting", PgType.TEXT));
        }
        return null;
    }

    /** The result columns of a statement not yet bound: found over the caller's empty shadow tables; null if none. */
    private List<ShadowCatalog.Column> describeStatement(Prepared p) {
        if (!isQuery(p.tokens())) {
            return describeCommand(p.tokens());
        }
        try {
            ShadowCatalog.View view = view();
            String sql = CatalogSql.isCatalogQuery(p.tokens()) ? CatalogSql.translate(p.tokens(), view.relations)
                    : SqlTokens.text(p.tokens());
            return services.shadow().describe(view, sql);
        } catch (QueryException e) {
            // Execution will answer the precise error; a statement the shadow cannot type describes no columns.
            return null;
        }
    }

    private ShadowCatalog.View view() {
        return services.shadow().view(services.catalog().tables(principal), user);
    }

    private Outcome catalogQuery(String sql) {
        ShadowCatalog.View view = view();
        String duck = CatalogSql.translate(SqlTokens.lex(sql), view.relations);
        long timeout = settings.timeoutMs() == null ? 30_000 : settings.timeoutMs();
        ShadowCatalog.Rows rows;
        try {
            rows = cancellable(() -> services.shadow().run(view, duck, timeout));
        } catch (QueryException e) {
            LOG.fine(() -> "catalog statement failed: " + e.getMessage() + "\n" + duck);
            throw e;
        }
        return new Outcome(rows.columns(), rows.rows(), "SELECT " + rows.rows().size(), List.of());
    }

    /** A statement over governed tables: exactly what {@code POST /v1/query} does, with the session's knobs. */
    private Outcome governed(String sql) {
        long start = System.nanoTime();
        RequestTrace trace = services.telemetry().startWireQuery("query");
        Metrics metrics = services.telemetry().metrics();
        metrics.queryStarted();
        QueryAnswer answer = null;
        QueryException failure = null;
        WireError fatal = null;
        try {
            principal = authenticate();
            services.limiter().acquireGateway(principal);
            QueryRequest request = new QueryRequest(sql, settings.maxStalenessMs(), settings.timeoutMs(), settings.allowStale());
            answer = cancellable(() -> services.queries().query(principal, request, trace));
        } catch (WireError e) {
            fatal = e;
            failure = new QueryException(ErrorCode.UNAUTHENTICATED, e.getMessage());
        } catch (QueryException e) {
            failure = e;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "trace " + trace.traceId() + ": unexpected failure", e);
            failure = new QueryException(ErrorCode.INTERNAL, "internal error; see the gateway log for trace " + trace.traceId());
        }
        ErrorCode error = failure == null ? null : failure.code();
        if (error == ErrorCode.RATE_LIMIT_EXHAUSTED) {
            Object source = failure.details().get("source");
            metrics.rateLimitRefusal(source == null ? Metrics.RefusalKind.GATEWAY : Metrics.RefusalKind.SOURCE,
                    source == null ? null : source.toString());
        }
        trace.end(failure == null ? 200 : error.status(), error);
        long elapsed = System.nanoTime() - start;
        metrics.queryFinished(elapsed, error);
        QueryAnswer a = answer;
        services.telemetry().queryLog().record(new QueryLog.Entry(trace.traceId(), principal.subject(),
                a == null ? List.of() : a.sources().stream().map(s -> new QueryLog.TableRead(s.table(), s.source(), s.cache(),
                        s.rows())).toList(), a == null ? 0 : a.result().rows().size(), elapsed, error));
        if (fatal != null) {
            throw fatal;
        }
        if (failure != null) {
            if (cancelledNow() && (error == ErrorCode.QUERY_TIMEOUT || error == ErrorCode.INTERNAL)) {
                throw new WireError(SqlStates.QUERY_CANCELED, "QUERY_TIMEOUT: canceling statement due to user request",
                        "trace_id: " + trace.traceId(), false);
            }
            throw WireError.of(failure, trace.traceId());
        }
        QueryResult r = answer.result();
        List<ShadowCatalog.Column> columns = r.columns().stream()
                .map(c -> new ShadowCatalog.Column(c.name(), PgType.ofDuckDb(c.type()))).toList();
        List<String[]> notices = new ArrayList<>();
        for (String w : answer.warnings()) {
            notices.add(new String[] {"WARNING", "01000", w});
        }
        if (answer.freshnessMs() > 0 && wantsNotices()) {
            notices.add(new String[] {"NOTICE", "00000", "freshness_ms=" + answer.freshnessMs()
                    + ": answered from cached source data that old (SET omnisql.max_staleness_ms = 0 for live data); trace_id "
                    + trace.traceId()});
        }
        return new Outcome(columns, r.rows(), "SELECT " + r.rows().size(), notices);
    }

    private boolean wantsNotices() {
        String level = String.valueOf(settings.get("client_min_messages")).toLowerCase(Locale.ROOT);
        return !(level.equals("warning") || level.equals("error") || level.equals("log") || level.equals("fatal")
                || level.equals("panic"));
    }

    private boolean cancelledNow() {
        synchronized (cancelLock) {
            return cancelled;
        }
    }

    /** Runs a statement on its own virtual thread, so a CancelRequest can interrupt it without closing this socket. */
    private <T> T cancellable(Callable<T> work) {
        synchronized (cancelLock) {
            cancelled = false;
        }
        Future<T> f = services.workers().submit(() -> {
            synchronized (cancelLock) {
                if (cancelled) {
                    throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query cancelled");
                }
                worker = Thread.currentThread();
            }
            try {
                return work.call();
            } finally {
                synchronized (cancelLock) {
                    worker = null;
                    Thread.interrupted();
                }
            }
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "session closed");
        }
    }

    /** A CancelRequest for this session: interrupts the statement running now, if any. */
    void cancel(int key) {
        if (key != secret) {
            return;
        }
        synchronized (cancelLock) {
            cancelled = true;
            if (worker != null) {
                worker.interrupt();
            }
        }
    }
}
