package io.omnisql.cluster;

import io.omnisql.connector.FleetPages;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.ratelimit.SharedStateUnavailable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Upstream pages shared through Redis: a page is a hash (fetch time, status, Link header, deflated body) that
 * expires after {@code page_ttl_ms}; a replica about to fetch a page takes a short lease ({@code SET NX PX}) so
 * the others wait for its answer instead of asking upstream too. Checking for the page and taking the lease is
 * one script, one round trip. Whenever Redis cannot answer, the replica fetches alone.
 */
final class RedisPages implements FleetPages {
    /**
     * KEYS: page, lease. ARGV: oldest acceptable fetch time (ms), lease token, lease ms.
     * Returns {'page', at, status, links, body, etag} | {'lease', the older copy's fields, if any} |
     * {'wait', lease ms left}.
     */
    private static final RedisLink.Script CLAIM = RedisLink.Script.of("page claim", """
            local p = redis.call('HMGET', KEYS[1], 'at', 'st', 'ln', 'bd', 'et')
            if p[1] and tonumber(p[1]) >= tonumber(ARGV[1]) then
              return {'page', p[1], p[2], p[3], p[4], p[5] or ''}
            end
            if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
              if p[1] and p[5] then
                return {'lease', p[1], p[2], p[3], p[4], p[5]}
              end
              return {'lease'}
            end
            return {'wait', redis.call('PTTL', KEYS[2])}
            """);
    /** KEYS: page, lease. ARGV: at, status, links, body, ttl ms, lease token, etag. Stores the page, ends the lease. */
    private static final RedisLink.Script PUBLISH = RedisLink.Script.of("page publish", """
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 'at', ARGV[1], 'st', ARGV[2], 'ln', ARGV[3], 'bd', ARGV[4])
            if ARGV[7] ~= '' then
              redis.call('HSET', KEYS[1], 'et', ARGV[7])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            if redis.call('GET', KEYS[2]) == ARGV[6] then
              redis.call('DEL', KEYS[2])
            end
            return {1}
            """);
    /** KEYS: lease. ARGV: token. Ends the lease if it is still this replica's. */
    private static final RedisLink.Script RELEASE = RedisLink.Script.of("page release", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
            end
            return {1}
            """);
    private static final long FIRST_POLL_MS = 2;
    private static final long MAX_POLL_MS = 50;

    /** How a page was served, for metrics. */
    enum Outcome { SHARED, WAITED, FETCHED, LOCAL }

    private final RedisLink link;
    private final String prefix;
    private final long ttlMs;
    private final long maxBytes;
    private final Map<Outcome, LongAdder> counts = Map.of(Outcome.SHARED, new LongAdder(), Outcome.WAITED,
            new LongAdder(), Outcome.FETCHED, new LongAdder(), Outcome.LOCAL, new LongAdder());

    RedisPages(RedisLink link) {
        this.link = link;
        this.prefix = link.settings().keyPrefix();
        this.ttlMs = link.settings().pageTtlMs();
        this.maxBytes = link.settings().maxPageBytes();
    }

    long count(Outcome outcome) {
        return counts.get(outcome).sum();
    }

    @Override
    public Page fetchOnce(String key, long sinceMillis, long deadlineNanos, long leaseMillis, UnaryOperator<Page> fetch) {
        byte[] pageKey = key(key, "d");
        byte[] leaseKey = key(key, "l");
        byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        long pollMs = FIRST_POLL_MS;
        boolean waited = false;
        while (true) {
            List<Object> r;
            try {
                r = link.run(CLAIM, new byte[][] {pageKey, leaseKey}, ascii(sinceMillis), token, ascii(leaseMillis));
            } catch (SharedStateUnavailable e) {
                counts.get(Outcome.LOCAL).increment();
                return fetch.apply(null);
            }
            String tag = new String((byte[]) r.get(0), StandardCharsets.US_ASCII);
            switch (tag) {
                case "page" -> {
                    Page shared = decode(r);
                    if (shared == null) {
                        // Unreadable (written by an incompatible version?): fetch it as if it were not there.
                        counts.get(Outcome.LOCAL).increment();
                        return fetch.apply(null);
                    }
                    counts.get(waited ? Outcome.WAITED : Outcome.SHARED).increment();
                    return shared;
                }
                case "lease" -> {
                    counts.get(Outcome.FETCHED).increment();
                    return fetchAndShare(pageKey, leaseKey, token, r.size() > 1 ? decode(r) : null, fetch);
                }
                default -> {
                    // Another replica is fetching this page: its answer comes sooner than a second request would.
                    long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
                    if (leftMs <= 0) {
                        throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "query deadline reached while another "
                                + "replica was fetching the same upstream page", Map.of("source", sourceOf(key)));
                    }
                    waited = true;
                    sleep(Math.min(pollMs, leftMs));
                    pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
                }
            }
        }
    }

    private Page fetchAndShare(byte[] pageKey, byte[] leaseKey, byte[] token, Page older, UnaryOperator<Page> fetch) {
        Page page;
        try {
            page = fetch.apply(older);
        } catch (RuntimeException | Error e) {
            release(leaseKey, token);
            throw e;
        }
        byte[] body = page.shareable() ? deflate(page.body()) : null;
        if (body == null || body.length > maxBytes) {
            release(leaseKey, token);
            return page;
        }
        try {
            link.run(PUBLISH, new byte[][] {pageKey, leaseKey}, ascii(page.fetchedAtMillis()), ascii(page.status()),
                    String.join("\n", page.links()).getBytes(StandardCharsets.UTF_8), body, ascii(ttlMs), token,
                    (page.etag() == null ? "" : page.etag()).getBytes(StandardCharsets.UTF_8));
        } catch (SharedStateUnavailable e) {
            // The page is this replica's answer either way; the waiters fetch it themselves once the lease ends.
        }
        return page;
    }

    private void release(byte[] leaseKey, byte[] token) {
        try {
            link.run(RELEASE, new byte[][] {leaseKey}, token);
        } catch (SharedStateUnavailable e) {
            // The lease expires by itself.
        }
    }

    /** The page a CLAIM found, or null when it cannot be read. */
    private static Page decode(List<Object> r) {
        try {
            long at = Long.parseLong(text(r.get(1)));
            int status = Integer.parseInt(text(r.get(2)));
            String links = text(r.get(3));
            String etag = text(r.get(5));
            return new Page(status, inflate((byte[]) r.get(4)),
                    links.isEmpty() ? List.of() : List.of(links.split("\n")), etag.isEmpty() ? null : etag, at, true);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code prefix:{pg:HASH}:kind}: the URL is hashed (bounded key length, no braces to break the slot tag). */
    private byte[] key(String page, String kind) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(page.getBytes(StandardCharsets.UTF_8));
            return (prefix + ":{pg:" + HexFormat.of().formatHex(hash, 0, 16) + "}:" + kind)
                    .getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static String sourceOf(String key) {
        int space = key.indexOf(' ');
        return space > 0 ? key.substring(0, space) : key;
    }

    private static byte[] deflate(byte[] body) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(body);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
            byte[] buf = new byte[16 << 10];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] data) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 4);
            byte[] buf = new byte[32 << 10];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new UncheckedIOException(new IOException("truncated shared page"));
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new UncheckedIOException(new IOException("corrupt shared page", e));
        } finally {
            inflater.end();
        }
    }

    private static String text(Object value) {
        return value == null ? "" : new String((byte[]) value, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "fetch cancelled while waiting for another replica");
        }
    }
}
