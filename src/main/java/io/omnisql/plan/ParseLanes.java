package io.omnisql.plan;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded platform threads statements are parsed and analysed on, with stacks deep enough for any
 * statement the limits admit. Two lanes: every statement's analysis runs on the first; JSqlParser's complex
 * mode (exponential in nesting, tried only when the simple one fails) runs on the second, smaller one, so
 * statements that need it can never take the threads every other statement needs. Idle threads end.
 */
final class ParseLanes {
    /** The parser recurses ~25 frames per parenthesis; 16 MiB holds 10x the deepest nesting admitted. */
    private static final long STACK_BYTES = 16L << 20;
    private final ThreadPoolExecutor analysis;
    private final ThreadPoolExecutor complex;

    ParseLanes() {
        int cores = Runtime.getRuntime().availableProcessors();
        analysis = pool("omnisql-parse", Math.max(2, cores));
        complex = pool("omnisql-parse-complex", Math.max(1, cores / 2));
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(null, r, name + "-" + n.incrementAndGet(), STACK_BYTES);
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    <T> T analyse(Callable<T> work, long deadlineNanos, Runnable abandon, java.util.function.Supplier<QueryException> late) {
        return run(analysis, work, deadlineNanos, abandon, late);
    }

    <T> T complex(Callable<T> work, long deadlineNanos, Runnable abandon, java.util.function.Supplier<QueryException> late) {
        return run(complex, work, deadlineNanos, abandon, late);
    }

    /**
     * Runs {@code work} on {@code pool} and waits until {@code deadlineNanos}; past it, {@code abandon} stops
     * the work (the parser's own interrupt flag: JavaCC ignores thread interrupts) and the statement is refused.
     */
    private static <T> T run(ThreadPoolExecutor pool, Callable<T> work, long deadlineNanos, Runnable abandon, java.util.function.Supplier<QueryException> late) {
        Future<T> f = pool.submit(work);
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof QueryException q) {
                throw q;
            }
            if (cause instanceof StackOverflowError) {
                throw tooComplex("statement nests too deeply to analyse", Map.of("limit", "stack"));
            }
            if (cause instanceof Error err) {
                throw err; // OutOfMemoryError and the like end the process (see docs/api.md)
            }
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } catch (TimeoutException e) {
            abandon.run();
            f.cancel(true);
            throw late.get();
        } catch (InterruptedException e) {
            abandon.run();
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query cancelled while parsing");
        }
    }

    static QueryException tooComplex(String message, Map<String, Object> details) {
        return new QueryException(ErrorCode.SQL_TOO_COMPLEX, message, details);
    }

    void close() {
        analysis.shutdownNow();
        complex.shutdownNow();
    }
}
