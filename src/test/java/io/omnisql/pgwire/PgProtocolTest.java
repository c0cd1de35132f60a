package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The extended protocol message by message, as a driver sends it: binary parameters, Describe of a statement and
 * of a portal, Execute with a row limit and PortalSuspended, Close, Flush, Sync, and the skip-to-Sync recovery
 * after an error.
 */
class PgProtocolTest {
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** A minimal frontend: writes messages, reads backend messages as (type, body). */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
        }

        void untyped(byte[] body) throws IOException {
            out.writeInt(body.length + 4);
            out.write(body);
            out.flush();
        }

        void send(char type, byte[] body) throws IOException {
            out.writeByte(type);
            out.writeInt(body.length + 4);
            out.write(body);
            out.flush();
        }

        Msg read() throws IOException {
            char type = (char) in.readByte();
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            return new Msg(type, ByteBuffer.wrap(body));
        }

        /** Reads up to and including the next message of {@code type}; notices (which may come any time) are dropped. */
        List<Msg> until(char type) throws IOException {
            List<Msg> out = new ArrayList<>();
            Msg m;
            do {
                m = read();
                if (m.type() != 'N') {
                    out.add(m);
                }
            } while (m.type() != type);
            return out;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private record Msg(char type, ByteBuffer body) {
    }

    private static final class Body {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);

        Body str(String s) throws IOException {
            d.write(s.getBytes(StandardCharsets.UTF_8));
            d.writeByte(0);
            return this;
        }

        Body i16(int v) throws IOException {
            d.writeShort(v);
            return this;
        }

        Body i32(int v) throws IOException {
            d.writeInt(v);
            return this;
        }

        Body raw(byte[] b) throws IOException {
            d.write(b);
            return this;
        }

        byte[] done() {
            return bytes.toByteArray();
        }
    }

    private static Client login() throws IOException {
        Client c = new Client(gw.gateway().pgPort());
        c.untyped(new Body().i32(80_877_103).done());
        assertThat(c.in.readByte()).as("SSL refused without a key pair").isEqualTo((byte) 'N');
        c.untyped(new Body().i32(196_608).str("user").str("alice").str("database").str("omnisql").str("").done());
        assertThat(c.read().type()).isEqualTo('R');
        c.send('p', new Body().str(gw.token()).done());
        List<Msg> startup = c.until('Z');
        List<String> statuses = new ArrayList<>();
        for (Msg m : startup) {
            if (m.type() == 'S') {
                statuses.add(PgIn.cstring(m.body()) + "=" + PgIn.cstring(m.body()));
            }
        }
        assertThat(statuses).contains("server_version=14.0", "client_encoding=UTF8", "DateStyle=ISO, MDY",
                "integer_datetimes=on", "standard_conforming_strings=on");
        assertThat(startup).extracting(Msg::type).contains('K');
        return c;
    }

    @Test
    void extendedProtocolWithBinaryParametersAndPortalSuspension() throws Exception {
        try (Client c = login()) {
            // Parse with a declared int8 parameter, Describe the statement.
            c.send('P', new Body().str("s1").str("SELECT number, title FROM github.pull_requests WHERE number > $1 ORDER BY number")
                    .i16(1).i32(20).done());
            c.send('D', new Body().raw(new byte[] {'S'}).str("s1").done());
            c.send('H', new byte[0]);
            assertThat(c.read().type()).isEqualTo('1');
            Msg params = c.read();
            assertThat(params.type()).isEqualTo('t');
            assertThat(params.body().getShort()).isEqualTo((short) 1);
            assertThat(params.body().getInt()).isEqualTo(20);
            Msg described = c.read();
            assertThat(described.type()).as("the statement's columns, described without running it").isEqualTo('T');
            assertThat(described.body().getShort()).isEqualTo((short) 2);
            assertThat(PgIn.cstring(described.body())).isEqualTo("number");

            // Bind a binary int8 10, ask the first column in binary, execute 3 rows at a time.
            c.send('B', new Body().str("p1").str("s1").i16(1).i16(1).i16(1).i32(8).raw(ByteBuffer.allocate(8).putLong(10).array())
                    .i16(2).i16(1).i16(0).done());
            c.send('D', new Body().raw(new byte[] {'P'}).str("p1").done());
            c.send('E', new Body().str("p1").i32(3).done());
            c.send('S', new byte[0]);
            List<Msg> first = c.until('Z');
            assertThat(first).extracting(Msg::type).containsExactly('2', 'T', 'D', 'D', 'D', 's', 'Z');
            ByteBuffer row = first.get(2).body();
            assertThat(row.getShort()).isEqualTo((short) 2);
            assertThat(row.getInt()).isEqualTo(4);
            int number = row.getInt();
            assertThat(number).as("binary int4, bound parameter applied").isGreaterThan(10);

            // Outside a transaction block, Sync ends the portal (as in Postgres).
            c.send('E', new Body().str("p1").i32(3).done());
            c.send('S', new byte[0]);
            List<Msg> gone = c.until('Z');
            assertThat(gone.get(0).type()).isEqualTo('E');
            assertThat(error(gone.get(0))).contains("34000");

            // Inside one, the portal pages on across Syncs, then Close.
            c.send('Q', new Body().str("BEGIN").done());
            assertThat(c.until('Z')).extracting(Msg::type).containsExactly('C', 'Z');
            c.send('B', new Body().str("p2").str("s1").i16(0).i16(1).i32(2).raw("10".getBytes(StandardCharsets.UTF_8))
                    .i16(0).done());
            c.send('E', new Body().str("p2").i32(2).done());
            c.send('S', new byte[0]);
            assertThat(c.until('Z')).extracting(Msg::type).containsExactly('2', 'D', 'D', 's', 'Z');
            c.send('E', new Body().str("p2").i32(0).done());
            c.send('C', new Body().raw(new byte[] {'P'}).str("p2").done());
            c.send('S', new byte[0]);
            List<Msg> rest = c.until('Z');
            assertThat(rest.get(rest.size() - 3).type()).isEqualTo('C');
            assertThat(rest.get(rest.size() - 2).type()).isEqualTo('3');
            assertThat(rest.get(rest.size() - 1).body().get()).as("still in the transaction block").isEqualTo((byte) 'T');
        }
    }

    @Test
    void afterAnErrorMessagesAreSkippedUntilSync() throws Exception {
        try (Client c = login()) {
            c.send('P', new Body().str("").str("SELECT nope FROM github.pull_requests").i16(0).done());
            c.send('B', new Body().str("").str("").i16(0).i16(0).i16(0).done());
            c.send('E', new Body().str("").i32(0).done());
            c.send('P', new Body().str("").str("SELECT 1").i16(0).done());
            c.send('S', new byte[0]);
            List<Msg> m = c.until('Z');
            assertThat(m).extracting(Msg::type).containsExactly('1', '2', 'E', 'Z');
            assertThat(error(m.get(2))).contains("42703").contains("UNKNOWN_COLUMN");
            c.send('Q', new Body().str("SELECT 'ok' AS answer").done());
            List<Msg> ok = c.until('Z');
            assertThat(ok).extracting(Msg::type).containsExactly('T', 'D', 'C', 'Z');
        }
    }

    private static String error(Msg m) throws IOException {
        StringBuilder b = new StringBuilder();
        while (m.body().hasRemaining()) {
            byte field = m.body().get();
            if (field == 0) {
                break;
            }
            b.append((char) field).append('=').append(PgIn.cstring(m.body())).append(' ');
        }
        return b.toString();
    }
}
