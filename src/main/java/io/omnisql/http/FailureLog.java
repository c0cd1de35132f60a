package io.omnisql.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs unexpected failures: the stack trace once per distinct failure (its type and where it was thrown), then a
 * single line per repeat with a count, so a client repeating a request that trips a bug cannot flood the log.
 */
final class FailureLog {
    private static final Logger LOG = Logger.getLogger("omnisql.http");
    private final Cache<String, AtomicLong> seen = Caffeine.newBuilder().maximumSize(1_000).build();

    void failure(String traceId, String what, Throwable e) {
        String signature = signature(e);
        AtomicLong count = seen.get(signature, k -> new AtomicLong());
        long n = count.incrementAndGet();
        if (n == 1) {
            LOG.log(Level.SEVERE, "trace " + traceId + ": " + what + " (first of its kind; repeats log one line)", e);
        } else {
            LOG.severe(() -> "trace " + traceId + ": " + what + ": " + e + " (seen " + n + " times, stack logged once)");
        }
    }

    /** The exception types down the cause chain and the frame each was thrown at. */
    private static String signature(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null && s.length() < 2_000; t = t.getCause() == t ? null : t.getCause()) {
            s.append(t.getClass().getName());
            StackTraceElement[] frames = t.getStackTrace();
            if (frames.length > 0) {
                s.append('@').append(frames[0]);
            }
            s.append(';');
        }
        return s.toString();
    }
}
