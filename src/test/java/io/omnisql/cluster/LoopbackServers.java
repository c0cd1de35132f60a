package io.omnisql.cluster;

import io.omnisql.RequiredTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Real redis-server and haproxy processes on loopback ports for the cluster tests, found through
 * REDIS_SERVER_BIN / HAPROXY_BIN (exported by bin/test after bin/ensure-cluster-tools) or the usual Debian paths.
 * A missing binary is never a silent skip ({@link RequiredTool}: a banner, and a failure under CI=true).
 */
final class LoopbackServers {
    private LoopbackServers() {
    }

    private static final String INSTALL = "run bin/ensure-cluster-tools as root or with CI=true (installs Debian's "
            + "redis-server and haproxy), or set REDIS_SERVER_BIN / HAPROXY_BIN";

    static Path redisBinary() {
        return new RequiredTool("redis-server", INSTALL).find(RequiredTool.candidates("REDIS_SERVER_BIN", "redis-server",
                Path.of("/usr/bin/redis-server")));
    }

    static Path haproxyBinary() {
        return new RequiredTool("haproxy", INSTALL).find(RequiredTool.candidates("HAPROXY_BIN", "haproxy",
                Path.of("/usr/sbin/haproxy")));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A redis-server on {@code port}, memory only; {@link Process#destroy()} stops it. */
    static Process startRedis(int port, Path dir) throws Exception {
        Process p = new ProcessBuilder(redisBinary().toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (redisAnswers(port)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis-" + port + ".log")));
            }
            Thread.sleep(20);
        }
        stop(p);
        throw new IllegalStateException("redis-server did not answer PING on port " + port);
    }

    /** haproxy on {@code port} over {@code backends} (gateway ports), from the project's template. */
    static Process startHaproxy(int port, List<Integer> backends, Path dir) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < backends.size(); i++) {
            servers.append("    server g").append(i + 1).append(" 127.0.0.1:").append(backends.get(i)).append('\n');
        }
        String cfg = Files.readString(Path.of("conf/haproxy.cfg.template"))
                .replace("@BIND@", "127.0.0.1:" + port).replace("@SERVERS@", servers.toString())
                .replace("@ISSUER@", "    server g1 127.0.0.1:" + backends.get(0));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Process p = new ProcessBuilder(haproxyBinary().toString(), "-f", file.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        // Ready when every backend has answered through it (each passed its first health check).
        HttpClient http = HttpClient.newHttpClient();
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    r.headers().firstValue("x-omnisql-replica").ifPresent(seen::add);
                    if (seen.size() == backends.size()) {
                        return p;
                    }
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        stop(p);
        throw new IllegalStateException("haproxy did not reach every backend on port " + port + " (saw " + seen + ")");
    }

    static boolean redisAnswers(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops a process this test started (SIGTERM, then SIGKILL), by its handle. */
    static void stop(Process p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills a process at once (SIGKILL), as a crash would. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
