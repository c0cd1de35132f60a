package io.omnisql.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Notices that the client of a synchronous query has closed its TCP connection, so the query can be cancelled.
 *
 * <p>Helidon 4.1.2 gives a handler no signal of a closed connection: the request exposes neither its
 * connection context nor its socket, and nothing reads the socket while the handler runs (see docs/api.md).
 * The kernel does know: once the client closes, the server side of the connection leaves ESTABLISHED for
 * CLOSE_WAIT (after a FIN) or disappears (after a RST). While synchronous queries run, one scanner reads the
 * kernel's TCP tables ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) once per period for all of them, matching
 * each connection by its two ports. It only ever reads, so it cannot disturb the HTTP exchange; where the
 * tables are not readable (not Linux) it never fires. It fails safe: a connection missing from the tables is reported
 * closed only after it was seen open there (a connection found past ESTABLISHED is closed whenever it is first seen).
 */
final class ClientConnections {
    private static final Logger LOG = Logger.getLogger("omnisql.http");
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** include/net/tcp_states.h; every later state (CLOSE_WAIT after the client's FIN, ...) means it has gone. */
    private static final int ESTABLISHED = 0x01;

    private final long periodMs;
    private final boolean available;
    /** The running synchronous queries' connections; one scanner thread serves them all while there are any. */
    private final Map<Watched, Boolean> watched = new ConcurrentHashMap<>();
    private Thread scanner;

    ClientConnections(long periodMs) {
        this.periodMs = periodMs;
        this.available = Files.isReadable(TABLES.get(0));
        if (!available) {
            LOG.info("no /proc/net/tcp: a synchronous query whose client disconnects runs to its deadline");
        }
    }

    /** What the kernel says about one connection. */
    enum State { OPEN, GONE, UNKNOWN }

    /** One watched connection; {@code seenOpen} guards against reporting one never found. */
    private static final class Watched {
        final int localPort;
        final int remotePort;
        final Runnable onClosed;
        boolean seenOpen;

        Watched(int localPort, int remotePort, Runnable onClosed) {
            this.localPort = localPort;
            this.remotePort = remotePort;
            this.onClosed = onClosed;
        }
    }

    /**
     * Watches the connection between {@code localPort} (the listener) and {@code remotePort} (the client) until
     * the returned watch is closed; runs {@code onClosed} once if the client goes first.
     */
    Watch watch(int localPort, int remotePort, Runnable onClosed) {
        if (!available || localPort <= 0 || remotePort <= 0) {
            return () -> { };
        }
        Watched w = new Watched(localPort, remotePort, onClosed);
        watched.put(w, Boolean.TRUE);
        synchronized (this) {
            if (scanner == null) {
                scanner = Thread.ofVirtual().name("client-connections").start(this::scan);
            }
        }
        return () -> watched.remove(w);
    }

    /** One pass over the kernel tables per period for every watched connection; ends when none is left. */
    private void scan() {
        try {
            while (true) {
                Thread.sleep(periodMs);
                synchronized (this) {
                    if (watched.isEmpty()) {
                        scanner = null;
                        return;
                    }
                }
                Map<Long, Integer> states = new HashMap<>();
                for (Watched w : watched.keySet()) {
                    states.put(key(w.localPort, w.remotePort), -1);
                }
                if (!read(states)) {
                    continue;
                }
                for (Watched w : watched.keySet()) {
                    Integer st = states.get(key(w.localPort, w.remotePort));
                    if (st == null) {
                        continue; // registered after this pass began
                    }
                    if (st == ESTABLISHED) {
                        w.seenOpen = true;
                    } else if ((w.seenOpen || st != -1) && watched.remove(w) != null) {
                        // An entry past ESTABLISHED (CLOSE_WAIT: the client's FIN) proves the client left even if the
                        // first pass came after it did; a missing entry counts only for a connection seen open.
                        w.onClosed.run();
                    }
                }
            }
        } catch (InterruptedException e) {
            synchronized (this) {
                scanner = null;
            }
        }
    }

    private static long key(int localPort, int remotePort) {
        return ((long) localPort << 32) | remotePort;
    }

    /**
     * Fills in each asked connection's state: ESTABLISHED when some matching entry is, else the last other state
     * seen, else -1 (no entry: the client reset it and it was removed). False when the tables cannot be read.
     */
    private static boolean read(Map<Long, Integer> states) {
        for (Path table : TABLES) {
            try (Stream<String> lines = Files.lines(table)) {
                for (String line : (Iterable<String>) lines.skip(1)::iterator) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4) {
                        continue;
                    }
                    Long k = key(port(f[1]), port(f[2]));
                    Integer known = states.get(k);
                    if (known != null && known != ESTABLISHED) {
                        states.put(k, Integer.parseInt(f[3], 16));
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (table == TABLES.get(0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The connection's state now: OPEN, GONE (past ESTABLISHED or no entry), UNKNOWN (tables unreadable). */
    static State state(int localPort, int remotePort) {
        Map<Long, Integer> states = new HashMap<>();
        states.put(key(localPort, remotePort), -1);
        if (!read(states)) {
            return State.UNKNOWN;
        }
        return states.get(key(localPort, remotePort)) == ESTABLISHED ? State.OPEN : State.GONE;
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
    }

    /** Stops a watch; idempotent. */
    @FunctionalInterface
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
