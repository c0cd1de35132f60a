package io.omnisql.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads catalog.yaml, policies.yaml and ratelimits.yaml from one directory and hot-reloads them.
 * Files are polled by content rather than watched: polling sees edits made by rename (editors, kubectl
 * configmap symlink swaps) that directory watches miss, and costs one small read per file per interval.
 */
public final class ConfigStore implements AutoCloseable {
    public static final String CATALOG = "catalog.yaml";
    public static final String POLICIES = "policies.yaml";
    public static final String RATE_LIMITS = "ratelimits.yaml";
    private static final Logger LOG = Logger.getLogger("omnisql.config");
    private static final long SETTLE_MS = 50;

    private final Path dir;
    private final List<ConfigParticipant> participants = new CopyOnWriteArrayList<>();
    private final List<Consumer<Boolean>> reloadListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final ScheduledExecutorService poller;
    private volatile byte[][] lastContent = new byte[3][];
    private final Map<String, Declared> sections = new ConcurrentHashMap<>();

    /** How an edit of a configuration section takes effect. */
    public enum Reload {
        /** Applied by the next reload, within about a second. */
        HOT,
        /** Read once at start-up: an edit is accepted, logged and exported as needing a restart. */
        RESTART
    }

    /** A declared section: how it reloads, how to read its value from a snapshot, and the value running now. */
    private record Declared(String name, Reload mode, Function<Snapshot, Object> value, Object running) {
    }

    private ConfigStore(Path dir) {
        this.dir = dir;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "omnisql-config-poll");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads and validates the files once; a bad start-up configuration is fatal rather than half-served. */
    public static ConfigStore open(Path dir) throws ConfigException {
        ConfigStore store = new ConfigStore(dir);
        byte[][] content = store.read();
        store.current.set(store.build(content, 1));
        store.lastContent = content;
        return store;
    }

    public Path directory() {
        return dir;
    }

    public Snapshot current() {
        return current.get();
    }

    /**
     * Adds a participant and applies the current snapshot to it at once; a participant that rejects the
     * start-up configuration fails start-up.
     */
    public void register(ConfigParticipant participant) throws ConfigException {
        participant.prepare(current.get()).run();
        participants.add(participant);
    }

    /**
     * Declares a configuration section and whether an edit of it applies on reload. Every section of the three files
     * is declared by the component that reads it, so a reload can say which edits are in force and which wait for a
     * restart (log line and {@link #restartPending}); a section becoming hot only changes its declaration.
     *
     * @param name  the section as the files name it, e.g. {@code observability} or {@code defaults.duckdb_threads}
     * @param value reads the section's value from a snapshot (compared with equals)
     */
    public void declare(String name, Reload mode, Function<Snapshot, Object> value) {
        Declared d = new Declared(name, mode, value, value.apply(current.get()));
        if (sections.putIfAbsent(name, d) != null) {
            throw new IllegalStateException("configuration section declared twice: " + name);
        }
    }

    /** The declared sections and how each reloads, by name. */
    public Map<String, Reload> sections() {
        Map<String, Reload> out = new java.util.TreeMap<>();
        sections.values().forEach(d -> out.put(d.name(), d.mode()));
        return out;
    }

    /** Whether a restart-only section's value in the files differs from the value the gateway runs with. */
    public boolean restartPending(String section) {
        Declared d = sections.get(section);
        return d != null && d.mode() == Reload.RESTART && !Objects.equals(d.value().apply(current.get()), d.running());
    }

    private List<String> pendingRestarts() {
        return sections.values().stream().filter(d -> restartPending(d.name())).map(Declared::name).sorted().toList();
    }

    /** Called with {@code true} after an applied reload and {@code false} after a rejected one. */
    public void onReload(Consumer<Boolean> listener) {
        reloadListeners.add(listener);
    }

    public void watch(long intervalMs) {
        poller.scheduleWithFixedDelay(this::poll, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Checks the files now; returns true when a changed configuration was applied. */
    public synchronized boolean poll() {
        byte[][] content;
        try {
            content = read();
        } catch (ConfigException e) {
            reject(e, null);
            return false;
        }
        if (sameContent(content, lastContent)) {
            return false;
        }
        // An editor or copy may be half-way through writing: apply only content that reads the same twice.
        try {
            Thread.sleep(SETTLE_MS);
            if (!sameContent(content, read())) {
                return false;
            }
        } catch (ConfigException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        lastContent = content;
        try {
            Snapshot next = build(content, current.get().version() + 1);
            List<Runnable> commits = new ArrayList<>();
            for (ConfigParticipant p : participants) {
                commits.add(p.prepare(next));
            }
            commits.forEach(Runnable::run);
            current.set(next);
            List<String> pending = pendingRestarts();
            if (pending.isEmpty()) {
                LOG.info(() -> "config reload applied: version " + next.version() + " from " + dir);
            } else {
                LOG.warning(() -> "config reload applied: version " + next.version() + " from " + dir + "; needs restart: "
                        + String.join(", ", pending) + " (read at start-up only: the running gateway keeps its start-up "
                        + "values until restarted)");
            }
            reloadListeners.forEach(l -> l.accept(true));
            return true;
        } catch (ConfigException e) {
            reject(e, null);
        } catch (RuntimeException e) {
            reject(null, e);
        }
        return false;
    }

    private void reject(ConfigException e, RuntimeException unexpected) {
        if (e != null) {
            LOG.warning(() -> "config reload rejected: " + e.getMessage() + " (still serving version "
                    + current.get().version() + ")");
        } else {
            LOG.log(Level.WARNING, "config reload rejected: " + unexpected + " (still serving version "
                    + current.get().version() + ")", unexpected);
        }
        reloadListeners.forEach(l -> l.accept(false));
    }

    private static boolean sameContent(byte[][] a, byte[][] b) {
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    private byte[][] read() throws ConfigException {
        String[] names = {CATALOG, POLICIES, RATE_LIMITS};
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            try {
                out[i] = Files.readAllBytes(dir.resolve(names[i]));
            } catch (NoSuchFileException e) {
                throw new ConfigException(names[i], 0, "file not found in " + dir.toAbsolutePath());
            } catch (IOException e) {
                throw new ConfigException(names[i], 0, "cannot read: " + e.getMessage());
            }
        }
        return out;
    }

    private Snapshot build(byte[][] content, long version) throws ConfigException {
        YamlTree catalogTree = YamlTree.parse(CATALOG, new String(content[0], StandardCharsets.UTF_8));
        YamlTree policies = YamlTree.parse(POLICIES, new String(content[1], StandardCharsets.UTF_8));
        YamlTree limits = YamlTree.parse(RATE_LIMITS, new String(content[2], StandardCharsets.UTF_8));
        return new Snapshot(version, digest(content), CatalogParser.parse(catalogTree), policies, limits, catalogTree);
    }

    /** The first 16 hex digits of SHA-256 over the files in order, each preceded by its length. */
    private static String digest(byte[][] content) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] file : content) {
                sha.update(ByteBuffer.allocate(Long.BYTES).putLong(file.length).array());
                sha.update(file);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
