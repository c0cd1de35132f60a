package io.omnisql.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.omnisql.ratelimit.SharedStateUnavailable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One multiplexed Lettuce connection to the fleet's Redis, shared by every request thread (Lettuce pipelines
 * concurrent commands on it), and the replica's view of whether Redis is usable. A failed or slow command marks
 * Redis down: for {@code retry_ms} every call fails at once (the caller decides alone, without waiting), then
 * the next call or the background probe tries again. Lettuce reconnects by itself; commands issued while it is
 * disconnected are rejected rather than queued, so no request waits on a dead link.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql.cluster");
    /** Lettuce logs every reconnect attempt at INFO; the state changes are logged here once instead. */
    private static final Logger LETTUCE = Logger.getLogger("io.lettuce.core");

    /** A Lua script run by EVALSHA, sent whole only when Redis does not know it yet (after a restart). */
    record Script(String name, byte[] body, String sha) {
        static Script of(String name, String lua) {
            byte[] body = lua.getBytes(StandardCharsets.UTF_8);
            try {
                return new Script(name, body, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is required of every JDK", e);
            }
        }
    }

    private final ClusterSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService prober;
    private final AtomicReference<State> state = new AtomicReference<>(State.UNKNOWN);
    private final LongAdder failures = new LongAdder();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    /** While true and before {@code downUntilNanos}, calls fail at once. */
    private volatile boolean resting;
    private volatile long downUntilNanos;
    private volatile String lastError = "not connected yet";
    private volatile double lastPingMs = -1;

    private enum State { UNKNOWN, UP, DOWN }

    RedisLink(ClusterSettings settings) {
        LETTUCE.setLevel(Level.WARNING);
        this.settings = settings;
        Duration timeout = Duration.ofMillis(settings.commandTimeoutMs());
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(settings.retryMs()), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = RedisURI.create(settings.redis());
        uri.setTimeout(timeout);
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(
                        Math.max(200, settings.commandTimeoutMs() * 4))).build())
                .build());
        this.prober = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("omnisql-redis-probe").factory());
        probe();
        prober.scheduleWithFixedDelay(this::probe, settings.retryMs(), settings.retryMs(), TimeUnit.MILLISECONDS);
    }

    boolean up() {
        return state.get() == State.UP;
    }

    String lastError() {
        return lastError;
    }

    double lastPingMs() {
        return lastPingMs;
    }

    long failures() {
        return failures.sum();
    }

    ClusterSettings settings() {
        return settings;
    }

    /**
     * Runs {@code script} atomically on Redis: one round trip (EVALSHA), two when Redis lost its script cache.
     *
     * @throws SharedStateUnavailable when Redis is down, slow or answered with an error
     */
    List<Object> run(Script script, byte[][] keys, byte[]... args) {
        return call(c -> {
            try {
                return c.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
            } catch (RedisNoScriptException e) {
                return c.eval(script.body(), ScriptOutputType.MULTI, keys, args);
            }
        }, script.name());
    }

    private <T> T call(Function<RedisCommands<byte[], byte[]>, T> command, String what) {
        if (resting()) {
            throw new SharedStateUnavailable("Redis unavailable: " + lastError, null);
        }
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null) {
            // Only the prober connects (once per retry window): no request waits on a connect timeout.
            throw new SharedStateUnavailable("Redis not connected yet: " + lastError, null);
        }
        try {
            T result = command.apply(c.sync());
            markUp();
            return result;
        } catch (io.lettuce.core.RedisCommandInterruptedException e) {
            // The caller was cancelled (its query ended), not Redis: the fleet's state stays in use for everyone else.
            Thread.currentThread().interrupt();
            throw new SharedStateUnavailable("Redis " + what + " abandoned: the calling query was cancelled", e);
        } catch (RedisException e) {
            markDown(what + ": " + describe(e));
            throw new SharedStateUnavailable("Redis " + what + " failed: " + describe(e), e);
        }
    }

    /** Keeps the state current without traffic (so /health and recovery do not wait for a request). */
    private void probe() {
        try {
            StatefulRedisConnection<byte[], byte[]> c = connection != null ? connection : connectNow();
            long start = System.nanoTime();
            c.sync().ping();
            lastPingMs = (System.nanoTime() - start) / 1e6;
            markUp();
        } catch (RedisException | SharedStateUnavailable e) {
            markDown("ping: " + describe(e));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: Redis probe failed unexpectedly", e);
        }
    }

    /** The first connection (Lettuce reconnects it by itself afterwards); tried once per retry window. */
    private synchronized StatefulRedisConnection<byte[], byte[]> connectNow() {
        if (connection == null) {
            connection = client.connect(ByteArrayCodec.INSTANCE);
        }
        return connection;
    }

    private boolean resting() {
        return resting && System.nanoTime() - downUntilNanos < 0;
    }

    private void markUp() {
        resting = false;
        if (state.getAndSet(State.UP) != State.UP) {
            LOG.info(() -> "cluster: Redis " + settings.redactedRedis() + " reachable: limits and pages shared by "
                    + settings.replicas() + " replica(s)");
        }
    }

    private void markDown(String why) {
        failures.increment();
        lastError = why;
        downUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.retryMs());
        resting = true;
        if (state.getAndSet(State.DOWN) != State.DOWN) {
            LOG.warning(() -> "cluster: Redis " + settings.redactedRedis() + " unreachable (" + why + "): this replica "
                    + "enforces 1/" + settings.replicas() + " of the fleet's limits alone and uses its local cache "
                    + "until Redis answers again");
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || root.getMessage() == null ? msg : msg + " (" + root.getMessage() + ")";
    }

    @Override
    public void close() {
        prober.shutdownNow();
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
