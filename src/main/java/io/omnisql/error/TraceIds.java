package io.omnisql.error;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Trace ids for answers no request trace covers (protocol errors, unknown routes): 32 hex digits like W3C ids. */
public final class TraceIds {
    private TraceIds() {
    }

    public static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong() | 1);
    }
}
