package io.omnisql.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Notices that the client of a synchronous query has closed its TCP connection, so the query can be cancelled.
 *
 * <p>Helidon 4.1.2 gives a handler no signal of a closed connection: the request exposes neither its
 * connection context nor its socket, and nothing reads the socket while the handler runs (see docs/api.md).
 * The kernel does know: once the client closes, the server side of the connection leaves ESTABLISHED for
 * CLOSE_WAIT (after a FIN) or disappears (after a RST). A watcher per running query reads the kernel's TCP
 * tables ({@code /proc/net/tcp}, {@code /proc/net/tcp6}) a few times a second, matching the connection by its
 * two ports. It only ever reads, so it cannot disturb the HTTP exchange; where the tables are not readable
 * (not Linux) it never fires. It fails safe: a connection it has never seen open is never reported closed.
 */
final class ClientConnections {
    private static final Logger LOG = Logger.getLogger("omnisql.http");
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** include/net/tcp_states.h; every later state (CLOSE_WAIT after the client's FIN, ...) means it has gone. */
    private static final int ESTABLISHED = 0x01;

    private final long periodMs;
    private final boolean available;

    ClientConnections(long periodMs) {
        this.periodMs = periodMs;
        this.available = Files.isReadable(TABLES.get(0));
        if (!available) {
            LOG.info("no /proc/net/tcp: a synchronous query whose client disconnects runs to its deadline");
        }
    }

    /** What the kernel says about one connection. */
    enum State { OPEN, GONE, UNKNOWN }

    /**
     * Watches the connection between {@code localPort} (the listener) and {@code remotePort} (the client) until
     * the returned watch is closed; runs {@code onClosed} once if the client goes first.
     */
    Watch watch(int localPort, int remotePort, Runnable onClosed) {
        if (!available || localPort <= 0 || remotePort <= 0) {
            return () -> { };
        }
        Thread watcher = Thread.ofVirtual().name("client-watch-" + remotePort).start(() -> {
            boolean seenOpen = false;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(periodMs);
                    State s = state(localPort, remotePort);
                    if (s == State.OPEN) {
                        seenOpen = true;
                    } else if (s == State.GONE && seenOpen) {
                        onClosed.run();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // the query ended: nothing left to watch
            }
        });
        return watcher::interrupt;
    }

    /**
     * The connection's state: OPEN when some matching entry is ESTABLISHED, GONE when the entries are all past
     * it or there are none, UNKNOWN when the tables cannot be read.
     */
    static State state(int localPort, int remotePort) {
        for (Path table : TABLES) {
            try (Stream<String> lines = Files.lines(table)) {
                for (String line : (Iterable<String>) lines.skip(1)::iterator) {
                    int st = match(line, localPort, remotePort);
                    if (st == ESTABLISHED) {
                        return State.OPEN;
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (table == TABLES.get(0)) {
                    return State.UNKNOWN;
                }
            }
        }
        // Only entries past ESTABLISHED (the client closed) or none at all (it reset and the entry was removed).
        return State.GONE;
    }

    /** The TCP state of one table line when it is the connection asked for, else -1. */
    static int match(String line, int localPort, int remotePort) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || port(f[1]) != localPort || port(f[2]) != remotePort) {
            return -1;
        }
        return Integer.parseInt(f[3], 16);
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
