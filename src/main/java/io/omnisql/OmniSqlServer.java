package io.omnisql;

import io.helidon.webserver.WebServer;
import io.omnisql.cache.SourceCache;
import io.omnisql.cluster.Cluster;
import io.omnisql.cluster.ClusterSettings;
import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigException;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.config.Section;
import io.omnisql.connector.HttpConnector;
import io.omnisql.console.ConsoleRoutes;
import io.omnisql.console.ConsoleSettings;
import io.omnisql.exec.Engine;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Lane;
import io.omnisql.gateway.QueryAnswer;
import io.omnisql.gateway.QueryRequest;
import io.omnisql.gateway.QueryService;
import io.omnisql.identity.Principal;
import io.omnisql.observe.RequestTrace;
import io.omnisql.http.ProtocolErrors;
import io.omnisql.http.HealthRoutes;
import io.omnisql.http.OpenApiRoute;
import io.omnisql.http.QueryRoutes;
import io.omnisql.identity.DemoIssuer;
import io.omnisql.identity.IdentitySettings;
import io.omnisql.identity.OidcAuthenticator;
import io.omnisql.observe.ObservabilitySettings;
import io.omnisql.observe.Readiness;
import io.omnisql.observe.Telemetry;
import io.omnisql.pgwire.PgListenerSettings;
import io.omnisql.pgwire.PgServer;
import io.omnisql.policy.CatalogView;
import io.omnisql.policy.YamlPolicyDecider;
import io.omnisql.ratelimit.QueryLimits;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RunningQueries;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.sim.SimulatorSettings;
import io.omnisql.sim.Simulators;
import java.net.URI;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/** Builds every component from the configuration directory, starts the HTTP server, and stops it all. */
public final class OmniSqlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql");
    private final ConfigStore config;
    private final Simulators simulators;
    private final Telemetry telemetry;
    private final Engine engine;
    private final SourceCache cache;
    private final DemoIssuer demoIssuer;
    private final Readiness readiness;
    private final Cluster cluster;
    private final QueryService queries;
    private final WebServer server;
    private static final long READY_ENGINE_TIMEOUT_MS = 1_000;
    /** The Postgres wire listener; null when disabled ({@code PG_PORT=off}). */
    private final PgServer pgServer;

    /** @param started collects what has started, so a failed start can stop it in reverse order */
    private OmniSqlServer(Options options, java.util.Deque<AutoCloseable> started) throws ConfigException, StartException {
        config = ConfigStore.open(options.configDir());
        started.push(config);
        Snapshot first = config.current();
        // Checked before anything starts: a refused start should be quick and leave nothing behind.
        requireLoopbackForDemoIssuer(identity(first), first, options.host());
        Catalog.Defaults defaults = first.catalog().defaults();

        simulators = first.catalog().sources().values().stream().anyMatch(Catalog.SourceDef::embedded)
                ? Simulators.start(simulatorSettings(first))
                : null;
        if (simulators != null) {
            started.push(simulators);
        }
        telemetry = telemetry(first, options.env());
        started.push(telemetry);
        RateLimitSettings firstLimits = rateLimits(first);
        RateLimiter limiter = RateLimiter.create(firstLimits);
        engine = new Engine(new Engine.Settings(defaults.duckdbThreads(), defaults.duckdbMemoryLimit(),
                lanes(firstLimits)));
        started.push(engine);
        for (Lane lane : Lane.values()) {
            telemetry.metrics().lane(lane.label(), () -> engine.load(lane).running(), () -> engine.load(lane).queued(),
                    () -> engine.load(lane).slots());
        }
        telemetry.metrics().laneDemotions(engine::demotions);
        telemetry.metrics().duckdbMemory(engine::memoryBytes);
        readiness = new Readiness();
        // The server listens only once the configuration loaded; a rejected reload keeps the loaded one in force.
        readiness.register("config", () -> config.current() != null);
        readiness.register("engine", () -> engine.answers(READY_ENGINE_TIMEOUT_MS));
        cache = new SourceCache(defaults.cacheMaxBytes(), InstantSource.system(), engine::drop);
        HttpConnector connector = new HttpConnector(this::baseUrl, options.env(), limiter);
        connector.validatorStoreBytes(defaults.validatorStoreBytes());
        connector.onRateLimit((source, remaining) -> telemetry.metrics().upstreamRateLimitRemaining(source, remaining));
        config.register(connector.secretsCheck()); // a missing ${env:..}/${file:..} secret fails the load, named
        IdentitySettings identity = identity(first);
        demoIssuer = DemoIssuer.create(identity);
        OidcAuthenticator authenticator = OidcAuthenticator.create(identity, demoIssuer::issuer);
        // Entitlements from policies.yaml, recompiled (and validated) on every reload.
        YamlPolicyDecider policy = new YamlPolicyDecider();
        config.register(policy);
        // Several replicas behind a load balancer: buckets, running caps and upstream pages shared through Redis.
        ClusterSettings fleet = clusterSettings(first, options.env());
        cluster = Cluster.join(fleet).orElse(null);
        if (cluster != null) {
            started.push(cluster);
        }
        queries = new QueryService(config, connector, engine, cache, policy, telemetry.metrics(), 64L << 20,
                limiter, cluster != null ? cluster.runningQueries() : RunningQueries.local());
        ProtocolErrors protocol = new ProtocolErrors();
        CatalogView catalogView = new CatalogView(config, policy);
        QueryRoutes routes = new QueryRoutes(authenticator, queries, telemetry, limiter, catalogView, protocol);
        pgServer = startPgServer(first, options, authenticator, queries, limiter, catalogView);
        if (pgServer != null) {
            started.push(pgServer);
        }
        AtomicReference<ConsoleSettings> consoleSettings = new AtomicReference<>(console(identity, observability(first)));
        ConsoleRoutes console = new ConsoleRoutes(consoleSettings::get);
        if (cluster != null) {
            limiter.share(cluster.buckets());
            connector.sharePages(cluster.pages());
            queries.replicaWarnings(cluster::warnings);
            Map<String, LongSupplier> pageCounts = new LinkedHashMap<>();
            cluster.pageCounts().keySet().forEach(k -> pageCounts.put(k, () -> cluster.pageCounts().get(k)));
            // The rule: a replica whose shared state (Redis) is unreachable is not ready.
            readiness.registerDegradable("redis", cluster::redisUp);
            telemetry.metrics().cluster(cluster::redisUp, () -> limiter.stats().fallbackDecisions(), pageCounts);
        }
        routes.healthDetails(() -> {
            Snapshot now = config.current();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("config_version", now.version());
            details.put("config_digest", now.digest());
            details.put("cluster", cluster != null ? cluster.health() : Map.of("mode", "single"));
            return details;
        });

        config.register(next -> {
            RateLimitSettings nextLimits = rateLimits(next);
            IdentitySettings nextIdentity = identity(next);
            requireLoopbackForDemoIssuer(nextIdentity, next, options.host());
            SimulatorSettings nextSims = simulators == null ? null
                    : simulatorSettings(next);
            boolean dataShapeChanged = !shapesSameData(next.catalog(), config.current().catalog());
            clusterSettings(next, options.env()); // validated now; applied at the next restart (declared below)
            ConsoleSettings nextConsole = console(nextIdentity, observability(next));
            return () -> {
                consoleSettings.set(nextConsole);
                limiter.update(nextLimits);
                engine.update(lanes(nextLimits));
                authenticator.update(nextIdentity);
                demoIssuer.update(nextIdentity);
                connector.mappings(next.catalog().mappings());
                connector.reloaded();
                if (simulators != null) {
                    simulators.update(nextSims);
                }
                cache.resize(next.catalog().defaults().cacheMaxBytes());
                connector.validatorStoreBytes(next.catalog().defaults().validatorStoreBytes());
                if (dataShapeChanged) {
                    // Cached tables were shaped by the old definitions.
                    cache.invalidateAll();
                }
            };
        });
        // observability: applies without a restart (tracing pipeline, sampling, query log, log format).
        config.register(next -> {
            ObservabilitySettings nextObservability = observability(next);
            return () -> telemetry.apply(nextObservability);
        });
        config.onReload(applied -> telemetry.metrics().configReload(applied));
        declareSections();
        config.sections().keySet().forEach(name -> telemetry.metrics().configSection(name, () -> config.restartPending(name)));

        server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                // Bodies over the cap are refused from Content-Length before a byte is read (chunked: while read).
                .maxPayloadSize(ProtocolErrors.MAX_BODY_BYTES)
                .directHandlers(protocol.directHandlers())
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        long start = System.nanoTime();
                        chain.proceed();
                        String route = QueryRoutes.routeLabel(req);
                        // /v1 routes are counted by their request trace, with their error code.
                        if (route != null) {
                            telemetry.metrics().httpRequest(req.prologue().method().text(), route, res.status().code(),
                                    System.nanoTime() - start);
                        }
                    });
                    new OpenApiRoute().register(r);
                    // After the query routes: their GET /health (with cluster details) answers first.
                    routes.register(r);
                    new HealthRoutes(readiness).register(r);
                    demoIssuer.register(r);
                    telemetry.register(r);
                    console.register(r);
                    routes.registerFallback(r);
                    protocol.register(r);
                })
                .build();
        started.push(server::stop);
        server.start();
        if (!server.isRunning() || server.port() < 0) {
            // Helidon logs the BindException and returns a server that listens nowhere: refuse to run like that.
            throw new StartException("cannot listen on " + options.host() + ":" + options.port()
                    + " (is the port already in use by another process?)");
        }
        demoIssuer.bind(URI.create("http://" + (options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host())
                + ":" + server.port()));
        config.watch(options.reloadIntervalMs());
        LOG.info(() -> "OmniSQL listening on http://" + options.host() + ":" + server.port() + " (config "
                + options.configDir().toAbsolutePath() + ")");
    }

    /**
     * Every section of the three files and whether the reload participants above apply it. Restart-only sections are
     * those read once by components built at start-up (the DuckDB engine, telemetry exporters).
     */
    private void declareSections() {
        ConfigStore.Reload hot = ConfigStore.Reload.HOT;
        ConfigStore.Reload restart = ConfigStore.Reload.RESTART;
        // catalog.yaml
        config.declare("defaults", hot, s -> s.catalog().defaults());
        config.declare("defaults.duckdb_threads", restart, s -> s.catalog().defaults().duckdbThreads());
        config.declare("defaults.duckdb_memory_limit", restart, s -> s.catalog().defaults().duckdbMemoryLimit());
        config.declare("sources", hot, s -> s.catalog().sources());
        config.declare("tables", hot, s -> s.catalog().tables());
        config.declare("mappings", hot, s -> s.catalog().mappings());
        config.declare("simulators", hot, s -> s.catalog().simulators());
        config.declare("observability", hot, s -> s.catalog().observability());
        config.declare("pgwire", restart, s -> s.catalog().pgwire());
        config.declare("cluster", restart, s -> s.catalog().cluster());
        // policies.yaml
        config.declare("identity", hot, s -> s.policies().root().get("identity"));
        config.declare("policies", hot, s -> s.policies().root().get("policies"));
        // ratelimits.yaml
        config.declare("ratelimits", hot, s -> s.rateLimits().root());
    }

    /** Where and how to run. {@code env} supplies source secrets (System::getenv outside tests). */
    public record Options(Path configDir, String host, int port, long reloadIntervalMs, Function<String, String> env) {
    }

    private PgServer startPgServer(Snapshot first, Options options, OidcAuthenticator authenticator, QueryService queries,
                                   RateLimiter limiter, CatalogView catalogView) throws ConfigException, StartException {
        PgServer.Settings settings;
        Section section = first.section(ConfigStore.CATALOG, "pgwire");
        try {
            settings = PgListenerSettings.resolve(section.raw(), options.env(), options.host());
        } catch (IllegalArgumentException e) {
            throw section.error(null, e.getMessage());
        }
        if (settings == null) {
            return null;
        }
        try {
            PgServer pg = PgServer.start(settings, authenticator, queries, telemetry, limiter, catalogView);
            LOG.info(() -> "OmniSQL Postgres wire protocol on " + options.host() + ":" + pg.port());
            return pg;
        } catch (java.io.IOException e) {
            throw new StartException("cannot listen on " + options.host() + ":" + settings.port()
                    + " for the Postgres wire protocol: " + e.getMessage() + " (set PG_PORT to another port, or off)");
        }
    }

    /** catalog.yaml's {@code cluster:} section; an error names the file and the key's line. */
    private static ClusterSettings clusterSettings(Snapshot s, Function<String, String> env) throws ConfigException {
        Section section = s.section(ConfigStore.CATALOG, "cluster");
        try {
            return ClusterSettings.fromMap(section.raw(), env);
        } catch (IllegalArgumentException e) {
            String msg = String.valueOf(e.getMessage());
            int colon = msg.indexOf(": ");
            String key = colon > 0 && !msg.substring(0, colon).contains(" ") ? msg.substring(0, colon) : null;
            throw section.error(key, key == null ? msg : msg.substring(colon + 2));
        }
    }

    /**
     * Starts the gateway; a configuration it cannot serve or a port it cannot listen on stops everything it had
     * started and throws, so the process can exit non-zero instead of running half-configured.
     */
    public static OmniSqlServer start(Options options) throws ConfigException, StartException {
        java.util.Deque<AutoCloseable> started = new java.util.ArrayDeque<>();
        try {
            return new OmniSqlServer(options, started);
        } catch (ConfigException | StartException | RuntimeException | Error e) {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The gateway cannot run (for example its port is taken); the message says what to fix. */
    public static final class StartException extends Exception {
        StartException(String message) {
            super(message);
        }
    }

    /**
     * The demo issuer mints a token for anyone who asks, so it may only run when policies.yaml switches it on
     * explicitly and nothing but this machine can reach the gateway.
     */
    private static void requireLoopbackForDemoIssuer(IdentitySettings identity, Snapshot s, String host)
            throws ConfigException {
        if (identity.demoIssuer().enabled() && !isLoopback(host)) {
            throw new ConfigException(s.policies().file(), s.policies().lineOf("identity.demo_issuer.enabled"),
                    "identity.demo_issuer.enabled: the demo issuer mints tokens for anyone, so it runs only on a "
                            + "loopback listener (HOST=127.0.0.1); this gateway listens on " + host
                            + ": configure identity.issuer and set demo_issuer.enabled: false");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public int port() {
        return server.port();
    }

    /** The Postgres wire listener's port, or -1 when it is disabled. */
    public int pgPort() {
        return pgServer == null ? -1 : pgServer.port();
    }

    public ConfigStore config() {
        return config;
    }

    public Simulators simulators() {
        return simulators;
    }

    public Engine engine() {
        return engine;
    }

    public SourceCache cache() {
        return cache;
    }

    public DemoIssuer demoIssuer() {
        return demoIssuer;
    }

    /**
     * Runs one statement as {@code principal} with no token and no gateway rate limit, exactly as /v1/query governs
     * it otherwise: for policy tests, whose principals come from test cases rather than an issuer.
     *
     * @throws QueryException as /v1/query would answer it
     */
    public QueryAnswer queryAs(Principal principal, QueryRequest request) {
        RequestTrace trace = telemetry.startRequest("POST", "/v1/query", name -> null);
        try {
            QueryAnswer answer = queries.query(principal, request, trace);
            trace.end(200, null);
            return answer;
        } catch (QueryException e) {
            trace.end(e.code().status(), e.code());
            throw e;
        }
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /** The checks behind {@code /health/ready}; components that must work before traffic register theirs. */
    public Readiness readiness() {
        return readiness;
    }

    private URI baseUrl(Catalog.SourceDef source) {
        if (!source.embedded()) {
            return URI.create(source.baseUrl());
        }
        if (simulators == null) {
            throw new IllegalStateException("embedded source " + source.name() + " without simulators");
        }
        return source.baseUrl().equals("embedded:github") ? simulators.githubBaseUrl() : simulators.jiraBaseUrl();
    }

    /**
     * Whether cached tables fetched under {@code a} are still right under {@code b}: simulator, observability and
     * defaults changes (timeouts, staleness, caps) leave cached data valid; a table's row cap is part of its definition.
     */
    private static boolean shapesSameData(Catalog a, Catalog b) {
        return a.sources().equals(b.sources()) && a.tables().equals(b.tables()) && a.mappings().equals(b.mappings());
    }

    private static Engine.Lanes lanes(RateLimitSettings limits) {
        QueryLimits q = limits.queries();
        return new Engine.Lanes(q.shortSlots(), q.shortBudgetMs(), q.shortMaxInputRows(), q.longSlots());
    }

    private static RateLimitSettings rateLimits(Snapshot s) throws ConfigException {
        return RateLimitSettings.from(Section.root(s.rateLimits()));
    }

    private static IdentitySettings identity(Snapshot s) throws ConfigException {
        return IdentitySettings.from(s.section(ConfigStore.POLICIES, "identity"));
    }

    private static Telemetry telemetry(Snapshot s, Function<String, String> env) throws ConfigException {
        ObservabilitySettings settings = observability(s);
        try {
            return Telemetry.create(settings, env);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("environment", 0, e.getMessage());
        }
    }

    private static ConsoleSettings console(IdentitySettings identity, ObservabilitySettings observability) {
        return new ConsoleSettings(identity.demoIssuer().enabled(), identity.issuer(), identity.consoleClientId(),
                observability.traceUiUrl());
    }

    private static ObservabilitySettings observability(Snapshot s) throws ConfigException {
        return ObservabilitySettings.from(s.section(ConfigStore.CATALOG, "observability"));
    }

    private static SimulatorSettings simulatorSettings(Snapshot s) throws ConfigException {
        return SimulatorSettings.from(s.section(ConfigStore.CATALOG, "simulators"));
    }

    @Override
    public void close() {
        config.close();
        if (pgServer != null) {
            pgServer.close();
        }
        server.stop();
        cache.invalidateAll();
        engine.close();
        if (cluster != null) {
            cluster.close();
        }
        telemetry.close();
        if (simulators != null) {
            simulators.close();
        }
    }
}
