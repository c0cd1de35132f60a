package io.omnisql.pgwire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reads protocol v3 frames: the untyped startup packet and typed messages, each bounded in size. */
final class PgIn {
    /** Larger than any statement a client should send; bigger frames end the connection (no unbounded buffers). */
    static final int MAX_MESSAGE = 16 << 20;
    private final DataInputStream in;

    PgIn(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /** A startup-phase packet (length-prefixed, no type byte). */
    ByteBuffer startup() throws IOException {
        int len = in.readInt();
        if (len < 8 || len > 10_000) {
            throw new IOException("bad startup packet length " + len);
        }
        return body(len - 4);
    }

    /** A typed message; its body is the buffer, its type the returned frame's {@code type}. */
    Frame next() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException();
        }
        int len = in.readInt();
        if (len < 4 || len > MAX_MESSAGE) {
            throw new IOException("bad message length " + len);
        }
        return new Frame((char) type, body(len - 4));
    }

    private ByteBuffer body(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    record Frame(char type, ByteBuffer body) {
    }

    static String cstring(ByteBuffer b) throws IOException {
        int start = b.position();
        while (b.hasRemaining()) {
            if (b.get() == 0) {
                return new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
            }
        }
        throw new IOException("unterminated string in message");
    }
}
