package io.omnisql.pgwire;

import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import io.omnisql.pgwire.SqlTokens.Token;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.sf.jsqlparser.expression.Expression;
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
    /** Bounds on what one session may hold (a portal holds its whole answer until closed). */
    private static final int MAX_STATEMENTS = 1_000;
    private static final int MAX_PORTALS = 64;
    private final PgServer server;
    private final PgServer.Services services;
    private Socket socket;
    private PgIn in;
    private PgOut out;
    private int pid;
    private int secret;
    private String token;
    private String user;
    private StatementRunner runner;
    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();

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
        Principal principal = StatementRunner.authenticate(services, token);
        if (!user.isEmpty() && !user.equals(principal.subject())) {
            throw new WireError(SqlStates.INVALID_AUTHORIZATION, "UNAUTHENTICATED: user \"" + user
                    + "\" does not match the token's subject; connect as the token's subject", null, true);
        }
        user = principal.subject();
        SessionSettings settings = new SessionSettings(PgServer.SERVER_VERSION, user);
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!List.of("user", "database", "options", "replication").contains(e.getKey())) {
                try {
                    settings.set(e.getKey(), e.getValue());
                } catch (QueryException ex) {
                    throw new WireError(SqlStates.INVALID_PARAMETER_VALUE, ex.getMessage(), null, true);
                }
            }
        }
        runner = new StatementRunner(services, token, principal, settings,
                name -> {
                    if (name.equals("all")) {
                        statements.clear();
                    } else {
                        statements.remove(name);
                    }
                }, () -> portals.keySet().removeIf(k -> !k.isEmpty()));
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
                        if (runner.transaction() == 'I') {
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
                runner.failTransaction();
                if (f.type() == 'Q') {
                    ready();
                } else {
                    skipping = true;
                }
            }
        }
    }

    private void simpleQuery(String sql) throws IOException {
        List<List<Token>> parts = SqlTokens.statements(SqlTokens.lex(sql));
        if (parts.isEmpty()) {
            out.begin('I').end();
        }
        for (List<Token> statement : parts) {
            Outcome o = runner.run(statement, SqlTokens.text(statement));
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
        if (!name.isEmpty() && statements.size() >= MAX_STATEMENTS) {
            throw new WireError("54000", "PAYLOAD_TOO_LARGE: more than " + MAX_STATEMENTS + " prepared statements in one session");
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
        List<Expression> literals = new ArrayList<>(n);
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
        String sql;
        try {
            sql = n == 0 ? SqlTokens.text(p.tokens()) : PgParams.bind(SqlTokens.text(p.tokens()), literals);
        } catch (QueryException e) {
            throw WireError.of(e, null);
        }
        if (!portal.isEmpty() && !portals.containsKey(portal) && portals.size() >= MAX_PORTALS) {
            throw new WireError("54000", "PAYLOAD_TOO_LARGE: more than " + MAX_PORTALS + " open portals in one session");
        }
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
            List<ShadowCatalog.Column> columns = runner.describeStatement(p.tokens());
            if (columns == null) {
                out.begin('n').end();
            } else {
                rowDescription(columns, null);
            }
            return;
        }
        Portal portal = portal(name);
        if (portal.outcome == null && StatementRunner.isQuery(portal.statement.tokens())) {
            portal.outcome = runner.run(portal.statement.tokens(), portal.sql);
        }
        List<ShadowCatalog.Column> columns = portal.outcome != null ? portal.outcome.columns()
                : runner.describeCommand(portal.statement.tokens());
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
            portal.outcome = runner.run(portal.statement.tokens(), portal.sql);
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
            for (String[] status : o.statuses()) {
                parameterStatus(status[0], status[1]);
            }
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
        java.time.ZoneId zone = runner.zone();
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
        out.begin('Z').int8(runner.transaction()).end();
        out.flush();
    }

    private void parameterStatus(String name, String value) throws IOException {
        out.begin('S').cstring(name).cstring(value).end();
    }

    private void notice(String severity, String code, String message) throws IOException {
        out.begin('N').int8('S').cstring(severity).int8('V').cstring(severity).int8('C').cstring(code)
                .int8('M').cstring(message).int8(0).end();
    }

    /** A CancelRequest: interrupts the running statement when the secret is this session's. */
    void cancel(int key) {
        if (key == secret && runner != null) {
            runner.cancel();
        }
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
}
