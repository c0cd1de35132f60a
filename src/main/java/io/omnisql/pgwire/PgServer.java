package io.omnisql.pgwire;

import io.omnisql.gateway.QueryService;
import io.omnisql.identity.Authenticator;
import io.omnisql.observe.Telemetry;
import io.omnisql.policy.CatalogView;
import io.omnisql.ratelimit.RateLimiter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The Postgres wire protocol (v3) listener: one virtual thread per connection on plain {@code java.net} sockets,
 * each statement taking the same governed path as {@code POST /v1/query} (identity from the password, which is the
 * caller's bearer token; the gateway bucket; planner, policies, freshness cache, engine; metrics and traces).
 */
public final class PgServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql.pgwire");
    /** What clients see as server_version: a Postgres recent enough that drivers use their modern code paths. */
    static final String SERVER_VERSION = "14.0";
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Integer, PgSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger pids = new AtomicInteger(1000);
    /** Open connections beyond this are refused (53300), so idle clients cannot exhaust the gateway. */
    static final int MAX_CONNECTIONS = 1000;
    private final java.util.concurrent.Semaphore connections = new java.util.concurrent.Semaphore(MAX_CONNECTIONS);
    private final SecureRandom random = new SecureRandom();
    final Services services;

    /** What a session needs from the gateway. */
    record Services(Authenticator authenticator, QueryService queries, Telemetry telemetry, RateLimiter limiter,
                    CatalogView catalog, ShadowCatalog shadow, SSLContext tls, ExecutorService workers) {
    }

    /** Where to listen; {@code tls} is null when no key pair is configured (SSL requests are then refused). */
    public record Settings(String host, int port, SSLContext tls) {
    }

    private PgServer(Settings settings, Authenticator authenticator, QueryService queries, Telemetry telemetry,
                     RateLimiter limiter, CatalogView catalog) throws IOException {
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 128);
        this.services = new Services(authenticator, queries, telemetry, limiter, catalog, new ShadowCatalog(SERVER_VERSION),
                settings.tls(), threads);
        Thread.ofVirtual().name("omnisql-pgwire-accept").start(this::accept);
    }

    public static PgServer start(Settings settings, Authenticator authenticator, QueryService queries, Telemetry telemetry,
                                 RateLimiter limiter, CatalogView catalog) throws IOException {
        return new PgServer(settings, authenticator, queries, telemetry, limiter, catalog);
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.log(Level.WARNING, "pgwire accept failed", e);
                }
                continue;
            }
            if (!connections.tryAcquire()) {
                threads.submit(() -> PgSession.refuse(s, "53300", "OVERLOADED: too many connections (" + MAX_CONNECTIONS + ")"));
                continue;
            }
            threads.submit(() -> {
                try {
                    new PgSession(this, s).run();
                } finally {
                    connections.release();
                }
            });
        }
    }

    /** A new session's key for cancel requests: a process id and a random secret. */
    int register(PgSession session) {
        int pid = pids.incrementAndGet();
        sessions.put(pid, session);
        return pid;
    }

    int secret() {
        return random.nextInt();
    }

    void unregister(int pid) {
        sessions.remove(pid);
    }

    /** A CancelRequest: cancels the session's running statement when the secret matches; silent otherwise (as Postgres). */
    void cancel(int pid, int secret) {
        PgSession s = sessions.get(pid);
        if (s != null) {
            s.cancel(secret);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.fine(() -> "closing the pgwire socket: " + e.getMessage());
        }
        sessions.values().forEach(PgSession::close);
        threads.shutdownNow();
        services.shadow().close();
    }
}
