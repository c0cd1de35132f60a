package io.omnisql.pgwire;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.QueryResult;
import io.omnisql.gateway.QueryAnswer;
import io.omnisql.gateway.QueryHandle;
import io.omnisql.gateway.QueryRequest;
import io.omnisql.identity.Principal;
import io.omnisql.observe.Metrics;
import io.omnisql.observe.QueryLog;
import io.omnisql.observe.RequestTrace;
import io.omnisql.pgwire.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What one session's statements do, apart from the wire: session commands (SET, SHOW, RESET, BEGIN/COMMIT/
 * ROLLBACK, DEALLOCATE), catalog statements answered by the {@link ShadowCatalog}, and everything else over the
 * governed query path exactly as {@code POST /v1/query} runs it. Statements run on a worker thread so a
 * CancelRequest can interrupt them.
 */
final class StatementRunner {
    private static final Logger LOG = Logger.getLogger("omnisql.pgwire");
    private final PgServer.Services services;
    private final String token;
    private final String user;
    private final Consumer<String> deallocate;
    private final Runnable transactionEnded;
    private Principal principal;
    private SessionSettings settings;
    private char transaction = 'I';
    private final Object cancelLock = new Object();
    private Thread worker;
    /** The governed query running now: cancelled through the query service's seam. */
    private QueryHandle running;
    private boolean cancelled;

    /**
     * @param deallocate drops a prepared statement by name ({@code all} for every one)
     * @param transactionEnded called on COMMIT/ROLLBACK (named portals end with the transaction)
     */
    StatementRunner(PgServer.Services services, String token, Principal principal, SessionSettings settings,
                    Consumer<String> deallocate, Runnable transactionEnded) {
        this.services = services;
        this.token = token;
        this.principal = principal;
        this.user = principal.subject();
        this.settings = settings;
        this.deallocate = deallocate;
        this.transactionEnded = transactionEnded;
    }

    /** The status ReadyForQuery reports: I idle, T in a transaction block, E in a failed one. */
    char transaction() {
        return transaction;
    }

    void failTransaction() {
        if (transaction == 'T') {
            transaction = 'E';
        }
    }

    java.time.ZoneId zone() {
        return settings.zone();
    }

    /** Validates the session's token (again on every governed statement: a token that expired ends the session). */
    static Principal authenticate(PgServer.Services services, String token) {
        try {
            return services.authenticator().authenticate("Bearer " + token);
        } catch (QueryException e) {
            throw new WireError(SqlStates.INVALID_PASSWORD, "UNAUTHENTICATED: " + e.getMessage()
                    + " (the password must be a valid bearer token)", null, true);
        }
    }

    private Principal authenticate() {
        return authenticate(services, token);
    }

    private static String firstWord(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.significant()) {
                return t.kind() == SqlTokens.Kind.WORD ? t.text().toUpperCase(Locale.ROOT) : t.text();
            }
        }
        return "";
    }

    static boolean isQuery(List<Token> tokens) {
        return switch (firstWord(tokens)) {
            case "SELECT", "WITH", "VALUES", "TABLE", "(" -> true;
            default -> false;
        };
    }

    Outcome run(List<Token> tokens, String sql) {
        beginStatement();
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
                    transactionEnded.run();
                    yield Outcome.command(first.equals("COMMIT") || first.equals("END") ? (failed ? "ROLLBACK" : "COMMIT") : "ROLLBACK");
                }
                case "SAVEPOINT", "RELEASE" -> Outcome.command(first);
                case "DISCARD" -> Outcome.command("DISCARD ALL");
                case "DEALLOCATE" -> {
                    List<Token> sig = SqlTokens.significant(tokens);
                    String target = sig.get(sig.size() - 1).identifier();
                    if (target != null) {
                        deallocate.accept(target);
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
            List<String[]> status = List.<String[]>of(new String[] {canonical, settings.get(canonical)});
            return new Outcome(null, List.of(), "SET", List.of(), status);
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
            return Outcome.rows(List.of(new ShadowCatalog.Column("name", PgType.TEXT), new ShadowCatalog.Column("setting", PgType.TEXT),
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
        return Outcome.rows(List.of(new ShadowCatalog.Column(settings.canonical(name), PgType.TEXT)), rows, "SHOW", List.of());
    }

    List<ShadowCatalog.Column> describeCommand(List<Token> tokens) {
        if (firstWord(tokens).equals("SHOW")) {
            List<Token> t = SqlTokens.significant(tokens);
            return List.of(new ShadowCatalog.Column(t.size() > 1 ? t.get(1).text() : "setting", PgType.TEXT));
        }
        return null;
    }

    /** The result columns of a statement not yet bound: found over the caller's empty shadow tables; null if none. */
    List<ShadowCatalog.Column> describeStatement(List<Token> tokens) {
        if (!isQuery(tokens)) {
            return describeCommand(tokens);
        }
        try {
            ShadowCatalog.View view = view();
            String sql = CatalogSql.isCatalogQuery(tokens) ? CatalogSql.translate(tokens, view.relations)
                    : SqlTokens.text(tokens);
            return services.shadow().describe(view, user, sql);
        } catch (QueryException e) {
            // Execution will answer the precise error; a statement the shadow cannot type describes no columns.
            return null;
        }
    }

    private ShadowCatalog.View view() {
        return services.shadow().view(services.catalog().tables(principal));
    }

    private Outcome catalogQuery(String sql) {
        ShadowCatalog.View view = view();
        String duck = CatalogSql.translate(SqlTokens.lex(sql), view.relations);
        long timeout = settings.timeoutMs() == null ? 30_000 : settings.timeoutMs();
        ShadowCatalog.Rows rows;
        try {
            rows = cancellable(() -> services.shadow().run(view, user, duck, timeout));
        } catch (QueryException e) {
            LOG.fine(() -> "catalog statement failed: " + e.getMessage() + "\n" + duck);
            throw e;
        }
        return Outcome.rows(rows.columns(), rows.rows(), "SELECT " + rows.rows().size(), List.of());
    }

    /** A statement over governed tables: exactly what {@code POST /v1/query} does, with the session's knobs. */
    private Outcome governed(String sql) {
        long start = System.nanoTime();
        RequestTrace trace = services.telemetry().startWireQuery("query");
        Metrics metrics = services.telemetry().metrics();
        metrics.queryStarted();
        QueryAnswer answer = null;
        QueryHandle handle = null;
        QueryException failure = null;
        WireError fatal = null;
        try {
            principal = authenticate();
            services.limiter().acquireGateway(principal);
            QueryRequest request = new QueryRequest(sql, settings.maxStalenessMs(), settings.timeoutMs(), settings.allowStale());
            // The query service's cancellation seam: a CancelRequest cancels this handle (as DELETE /v1/queries/{id}).
            handle = services.queries().register(principal, request);
            QueryHandle registered = handle;
            synchronized (cancelLock) {
                running = registered;
                if (cancelled) {
                    registered.cancel();
                }
            }
            try {
                answer = cancellable(() -> services.queries().query(principal, request, trace, registered));
            } finally {
                synchronized (cancelLock) {
                    running = null;
                }
            }
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
                        s.rows())).toList(), a == null ? 0 : a.result().rows().size(), elapsed, error,
                handle == null ? 0 : handle.snapshot().queueMs() * 1_000_000));
        if (fatal != null) {
            throw fatal;
        }
        if (failure != null) {
            if (error == ErrorCode.QUERY_CANCELLED || cancelledNow() && (error == ErrorCode.QUERY_TIMEOUT
                    || error == ErrorCode.INTERNAL)) {
                throw new WireError(SqlStates.QUERY_CANCELED, "QUERY_CANCELLED: canceling statement due to user request",
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
        return Outcome.rows(columns, r.rows(), "SELECT " + r.rows().size(), notices);
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

    /** A new statement: a cancel request for an earlier one does not carry over. */
    private void beginStatement() {
        synchronized (cancelLock) {
            cancelled = false;
        }
    }

    /**
     * Runs a statement on its own virtual thread: a CancelRequest interrupts it (or cancels its query handle)
     * without touching this session's socket, which an interrupt would close.
     */
    private <T> T cancellable(Callable<T> work) {
        Future<T> f = services.workers().submit(() -> {
            synchronized (cancelLock) {
                if (cancelled) {
                    throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled");
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

    /** Cancels the statement running now, if any (a CancelRequest with this session's key). */
    void cancel() {
        synchronized (cancelLock) {
            cancelled = true;
            if (running != null) {
                running.cancel();
            } else if (worker != null) {
                worker.interrupt();
            }
        }
    }
}
