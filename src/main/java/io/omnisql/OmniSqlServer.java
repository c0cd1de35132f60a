package io.omnisql;

import io.helidon.webserver.WebServer;
import io.omnisql.cache.SourceCache;
import io.omnisql.cluster.Cluster;
import io.omnisql.cluster.ClusterSettings;
import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigException;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.config.YamlTree;
import io.omnisql.connector.HttpConnector;
import io.omnisql.exec.Engine;
import io.omnisql.exec.Lane;
import io.omnisql.gateway.QueryService;
import io.omnisql.http.QueryRoutes;
import io.omnisql.identity.DemoIssuer;
import io.omnisql.identity.IdentitySettings;
import io.omnisql.identity.OidcAuthenticator;
import io.omnisql.observe.ObservabilitySettings;
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
    private final Cluster cluster;
    private final WebServer server;
    /** The Postgres wire listener; null when disabled ({@code PG_PORT=off}). */
    private final PgServer pgServer;

    private OmniSqlServer(Options options) throws ConfigException {
        config = ConfigStore.open(options.configDir());
        Snapshot first = config.current();
        Catalog.Defaults defaults = first.catalog().defaults();

        simulators = first.catalog().sources().values().stream().anyMatch(Catalog.SourceDef::embedded)
                ? Simulators.start(section(first.catalog().simulators(), SimulatorSettings::fromMap, "simulators"))
                : null;
        telemetry = Telemetry.create(observability(first));
        RateLimitSettings firstLimits = rateLimits(first);
        RateLimiter limiter = RateLimiter.create(firstLimits);
        engine = new Engine(new Engine.Settings(defaults.duckdbThreads(), defaults.duckdbMemoryLimit(),
                lanes(firstLimits)));
        for (Lane lane : Lane.values()) {
            telemetry.metrics().lane(lane.label(), () -> engine.load(lane).running(), () -> engine.load(lane).queued(),
                    () -> engine.load(lane).slots());
        }
        telemetry.metrics().laneDemotions(engine::demotions);
        cache = new SourceCache(defaults.cacheMaxBytes(), InstantSource.system(), engine::drop);
        HttpConnector connector = new HttpConnector(this::baseUrl, options.env(), limiter);
        connector.onRateLimit((source, remaining) -> telemetry.metrics().upstreamRateLimitRemaining(source, remaining));
        config.register(connector.secretsCheck()); // a missing ${env:..}/${file:..} secret fails the load, named
        IdentitySettings identity = identity(first);
        demoIssuer = DemoIssuer.create(identity);
        OidcAuthenticator authenticator = OidcAuthenticator.create(identity, demoIssuer::issuer);
        // Entitlements from policies.yaml, recompiled (and validated) on every reload.
        YamlPolicyDecider policy = new YamlPolicyDecider();
        config.register(policy);
        // Several replicas behind a load balancer: buckets, running caps and upstream pages shared through Redis.
        ClusterSettings fleet = section(first.catalog().cluster(), m -> ClusterSettings.fromMap(m, options.env()),
                "cluster");
        cluster = Cluster.join(fleet).orElse(null);
        QueryService queries = new QueryService(config, connector, engine, cache, policy, telemetry.metrics(), 64L << 20,
                limiter, cluster != null ? cluster.runningQueries() : RunningQueries.local());
        CatalogView catalogView = new CatalogView(config, policy);
        QueryRoutes routes = new QueryRoutes(authenticator, queries, telemetry, limiter, catalogView);
        pgServer = startPgServer(first, options, authenticator, queries, limiter, catalogView);
        if (cluster != null) {
            limiter.share(cluster.buckets());
            connector.sharePages(cluster.pages());
            queries.replicaWarnings(cluster::warnings);
            Map<String, LongSupplier> pageCounts = new LinkedHashMap<>();
            cluster.pageCounts().keySet().forEach(k -> pageCounts.put(k, () -> cluster.pageCounts().get(k)));
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
            SimulatorSettings nextSims = simulators == null ? null
                    : section(next.catalog().simulators(), SimulatorSettings::fromMap, "simulators");
            boolean dataShapeChanged = !shapesSameData(next.catalog(), config.current().catalog());
            ClusterSettings nextFleet = section(next.catalog().cluster(), m -> ClusterSettings.fromMap(m, options.env()),
                    "cluster");
            if (!nextFleet.equals(fleet)) {
                LOG.warning(() -> "cluster: the changed cluster section takes effect at the next restart");
            }
            return () -> {
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
                if (dataShapeChanged) {
                    // Cached tables were shaped by the old definitions.
                    cache.invalidateAll();
                }
            };
        });
        config.onReload(applied -> telemetry.metrics().configReload(applied));

        server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        chain.proceed();
                        String route = QueryRoutes.routeLabel(req);
                        // /v1 routes are counted by their request trace, with their error code.
                        if (route != null) {
                            telemetry.metrics().httpRequest(req.prologue().method().text(), route, res.status().code());
                        }
                    });
                    routes.register(r);
                    demoIssuer.register(r);
                    telemetry.register(r);
                    routes.registerFallback(r);
                })
                .build()
                .start();
        demoIssuer.bind(URI.create("http://" + (options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host())
                + ":" + server.port()));
        config.watch(options.reloadIntervalMs());
        LOG.info(() -> "OmniSQL listening on http://" + options.host() + ":" + server.port() + " (config "
                + options.configDir().toAbsolutePath() + ")");
    }

    /** Where and how to run. {@code env} supplies source secrets (System::getenv outside tests). */
    public record Options(Path configDir, String host, int port, long reloadIntervalMs, Function<String, String> env) {
    }

    private PgServer startPgServer(Snapshot first, Options options, OidcAuthenticator authenticator, QueryService queries,
                                   RateLimiter limiter, CatalogView catalogView) throws ConfigException {
        PgServer.Settings settings;
        try {
            settings = PgListenerSettings.resolve(first.catalog().pgwire(), options.env(), options.host());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigStore.CATALOG, 0, e.getMessage());
        }
        if (settings == null) {
            return null;
        }
        try {
            PgServer pg = PgServer.start(settings, authenticator, queries, telemetry, limiter, catalogView);
            LOG.info(() -> "OmniSQL Postgres wire protocol on " + options.host() + ":" + pg.port());
            return pg;
        } catch (java.io.IOException e) {
            throw new ConfigException(ConfigStore.CATALOG, 0, "pgwire.port: cannot listen on " + options.host() + ":"
                    + settings.port() + ": " + e.getMessage() + " (set PG_PORT to another port, or off)");
        }
    }

    public static OmniSqlServer start(Options options) throws ConfigException {
        return new OmniSqlServer(options);
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

    public Telemetry telemetry() {
        return telemetry;
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
        try {
            return RateLimitSettings.fromMap(s.rateLimits().root());
        } catch (IllegalArgumentException e) {
            throw locate(s.rateLimits(), "", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static IdentitySettings identity(Snapshot s) throws ConfigException {
        Object section = s.policies().root().get("identity");
        try {
            return IdentitySettings.fromMap(section instanceof Map ? (Map<String, Object>) section : Map.of());
        } catch (IllegalArgumentException e) {
            throw locate(s.policies(), "identity", e);
        }
    }

    private static ObservabilitySettings observability(Snapshot s) throws ConfigException {
        try {
            return ObservabilitySettings.fromMap(s.catalog().observability());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigStore.CATALOG, 0, e.getMessage());
        }
    }

    private static <T> T section(Map<String, Object> raw, Function<Map<String, Object>, T> parser, String name)
            throws ConfigException {
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigStore.CATALOG, 0, name + "." + e.getMessage());
        }
    }

    private static ConfigException locate(YamlTree tree, String section, IllegalArgumentException e) {
        return section.isEmpty() ? new ConfigException(tree.file(), tree.lineOf(pathOf(e)), e.getMessage())
                : tree.sectionError(section, e);
    }

    private static String pathOf(IllegalArgumentException e) {
        String msg = String.valueOf(e.getMessage());
        int colon = msg.indexOf(": ");
        return colon > 0 && !msg.substring(0, colon).contains(" ") ? msg.substring(0, colon) : "";
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
