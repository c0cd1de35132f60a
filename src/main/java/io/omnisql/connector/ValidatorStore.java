package io.omnisql.connector;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The pages kept for revalidation: each page's validator with its body deflated (JSON list pages shrink
 * about tenfold, so a store of a given size revalidates that many more pages), bounded by the compressed
 * bytes it holds ({@code validator_store_bytes} in catalog.yaml), least recently used pages evicted first.
 */
final class ValidatorStore {
    /** What a revalidation needs: the validator to send, and the body and Link header a 304 reuses. */
    interface Validator {
        String etag();

        byte[] body();

        List<String> links();
    }

    /** A page kept for revalidation: its validator, deflated body and Link header (a 304 carries neither). */
    record Entry(String etag, byte[] deflated, int rawLength, List<String> links) implements Validator {
        /** The body as received. */
        @Override
        public byte[] body() {
            Inflater inflater = new Inflater();
            try {
                inflater.setInput(deflated);
                byte[] out = new byte[rawLength];
                int n = 0;
                while (n < rawLength && !inflater.finished()) {
                    n += inflater.inflate(out, n, rawLength - n);
                    if (n < rawLength && inflater.needsInput()) {
                        break;
                    }
                }
                if (n != rawLength) {
                    throw new IllegalStateException("stored page inflated to " + n + " of " + rawLength + " bytes");
                }
                return out;
            } catch (DataFormatException e) {
                throw new IllegalStateException("stored page is corrupt", e);
            } finally {
                inflater.end();
            }
        }
    }

    /** Per-entry bookkeeping beyond its key and body (object headers, the validator, the links). */
    private static final int ENTRY_OVERHEAD = 160;
    private final Cache<String, Entry> entries;
    private final LongAdder rawBytes = new LongAdder();

    ValidatorStore(long maxBytes) {
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Entry e) -> weight(k, e))
                .removalListener((String k, Entry e, RemovalCause c) -> {
                    if (e != null) {
                        rawBytes.add(-e.rawLength());
                    }
                })
                .executor(Runnable::run)
                .build();
    }

    private static int weight(String key, Entry e) {
        long links = e.links().stream().mapToLong(String::length).sum();
        return (int) Math.min(Integer.MAX_VALUE, 2L * key.length() + e.deflated().length + 2L * e.etag().length()
                + 2 * links + ENTRY_OVERHEAD);
    }

    Entry get(String key) {
        return entries.getIfPresent(key);
    }

    void put(String key, String etag, byte[] body, List<String> links) {
        Entry entry = new Entry(etag, deflate(body), body.length, List.copyOf(links));
        rawBytes.add(body.length);
        entries.put(key, entry);
    }

    void remove(String key) {
        entries.invalidate(key);
    }

    /** Adopts a new bound (a catalog reload); shrinking evicts at once. */
    void resize(long maxBytes) {
        entries.policy().eviction().ifPresent(e -> e.setMaximum(maxBytes));
    }

    /** What the store holds now: pages, their size as received, and the bytes it weighs (its bound's unit). */
    record Stats(long pages, long rawBytes, long storedBytes, long maxBytes) {
    }

    Stats stats() {
        entries.cleanUp();
        var eviction = entries.policy().eviction().orElseThrow();
        return new Stats(entries.estimatedSize(), rawBytes.sum(), eviction.weightedSize().orElse(0),
                eviction.getMaximum());
    }

    private static byte[] deflate(byte[] body) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(body);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 6));
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }
}
