package io.omnisql.pgwire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds backend messages into one growing buffer and writes it on {@link #flush()}: a whole answer (row
 * description, rows, completion, ready) goes out in as few socket writes as its size allows.
 */
final class PgOut {
    private static final int FLUSH_AT = 64 << 10;
    private final OutputStream out;
    private byte[] buf = new byte[8192];
    private int size;
    private int messageStart = -1;

    PgOut(OutputStream out) {
        this.out = out;
    }

    PgOut begin(char type) {
        ensure(5);
        buf[size++] = (byte) type;
        messageStart = size;
        size += 4;
        return this;
    }

    /** Ends the message begun last; writes the buffer out once it is large. */
    void end() throws IOException {
        int len = size - messageStart;
        buf[messageStart] = (byte) (len >>> 24);
        buf[messageStart + 1] = (byte) (len >>> 16);
        buf[messageStart + 2] = (byte) (len >>> 8);
        buf[messageStart + 3] = (byte) len;
        messageStart = -1;
        if (size >= FLUSH_AT) {
            flush();
        }
    }

    PgOut int8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    PgOut int16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    PgOut int32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    PgOut bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    PgOut cstring(String s) {
        bytes(s.getBytes(StandardCharsets.UTF_8));
        return int8(0);
    }

    /** A length-prefixed value, or -1 for NULL. */
    PgOut value(byte[] v) {
        if (v == null) {
            return int32(-1);
        }
        int32(v.length);
        return bytes(v);
    }

    void flush() throws IOException {
        if (size > 0) {
            out.write(buf, 0, size);
            size = 0;
        }
        out.flush();
    }

    /** A raw byte outside any message (the answer to SSLRequest). */
    void raw(char b) throws IOException {
        out.write(b);
        out.flush();
    }

    private void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }
}
