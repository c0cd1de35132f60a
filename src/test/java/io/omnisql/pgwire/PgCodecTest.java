package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text and binary encodings as Postgres defines them, for the values the engine produces. */
class PgCodecTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static String text(Object v, PgType t) {
        return new String(PgCodec.text(v, t, UTC), StandardCharsets.UTF_8);
    }

    @Test
    void textFollowsPostgresOutputFormats() {
        assertThat(text(true, PgType.BOOL)).isEqualTo("t");
        assertThat(text(2.0, PgType.FLOAT8)).isEqualTo("2");
        assertThat(text(Double.NaN, PgType.FLOAT8)).isEqualTo("NaN");
        assertThat(text("2024-01-02T03:04", PgType.TIMESTAMP)).isEqualTo("2024-01-02 03:04:00");
        assertThat(text("2024-01-02T03:04:05.120", PgType.TIMESTAMP)).isEqualTo("2024-01-02 03:04:05.12");
        assertThat(text("2024-01-02T03:04:05Z", PgType.TIMESTAMPTZ)).isEqualTo("2024-01-02 03:04:05+00");
        assertThat(new String(PgCodec.text("2024-01-02T03:04:05Z", PgType.TIMESTAMPTZ, ZoneId.of("Asia/Kolkata")),
                StandardCharsets.UTF_8)).isEqualTo("2024-01-02 08:34:05+05:30");
        assertThat(text(new BigDecimal("1E+3"), PgType.NUMERIC)).isEqualTo("1000");
        assertThat(text(Arrays.asList("a b", null, "x\"y", "", "ü"), PgType.TEXT_ARRAY))
                .isEqualTo("{\"a b\",NULL,\"x\\\"y\",\"\",ü}");
        assertThat(PgCodec.text(null, PgType.TEXT, UTC)).isNull();
    }

    @Test
    void numericBinaryIsBase10000WithWeightAndScale() {
        // 12345.678 -> digits [1, 2345, 6780], weight 1, positive, dscale 3
        assertThat(shorts(PgCodec.numeric(new BigDecimal("12345.678")))).containsExactly(3, 1, 0, 3, 1, 2345, 6780);
        assertThat(shorts(PgCodec.numeric(new BigDecimal("-0.0001")))).containsExactly(1, -1, 0x4000, 4, 1);
        assertThat(shorts(PgCodec.numeric(new BigDecimal("0")))).containsExactly(0, 0, 0, 0);
        assertThat(shorts(PgCodec.numeric(new BigDecimal("10000")))).containsExactly(1, 1, 0, 0, 1);
    }

    @Test
    void binaryTimestampsCountMicrosecondsFrom2000() {
        assertThat(ByteBuffer.wrap(PgCodec.binary("2000-01-01T00:00:01", PgType.TIMESTAMP, UTC)).getLong()).isEqualTo(1_000_000L);
        assertThat(ByteBuffer.wrap(PgCodec.binary("2000-01-01T01:00:00+01:00", PgType.TIMESTAMPTZ, UTC)).getLong()).isZero();
        assertThat(ByteBuffer.wrap(PgCodec.binary("2000-01-03", PgType.DATE, UTC)).getInt()).isEqualTo(2);
    }

    @Test
    void binaryIntegersAndArrays() {
        assertThat(ByteBuffer.wrap(PgCodec.binary(42L, PgType.INT8, UTC)).getLong()).isEqualTo(42L);
        assertThat(ByteBuffer.wrap(PgCodec.binary(7, PgType.INT4, UTC)).getInt()).isEqualTo(7);
        ByteBuffer a = ByteBuffer.wrap(PgCodec.binary(Arrays.asList(1L, null), PgType.INT8_ARRAY, UTC));
        assertThat(List.of(a.getInt(), a.getInt(), a.getInt(), a.getInt(), a.getInt())).containsExactly(1, 1, 20, 2, 1);
        assertThat(a.getInt()).isEqualTo(8);
        assertThat(a.getLong()).isEqualTo(1L);
        assertThat(a.getInt()).isEqualTo(-1);
    }

    @Test
    void aValueThatDoesNotFitItsTypeIsSentAsText() {
        assertThat(new String(PgCodec.binary("***", PgType.INT8, UTC), StandardCharsets.UTF_8)).isEqualTo("***");
    }

    @Test
    void duckDbTypesMapToPostgresOids() {
        assertThat(PgType.ofDuckDb("BIGINT").oid).isEqualTo(20);
        assertThat(PgType.ofDuckDb("DECIMAL(18,3)").oid).isEqualTo(1700);
        assertThat(PgType.ofDuckDb("VARCHAR[]").oid).isEqualTo(1009);
        assertThat(PgType.ofDuckDb("TIMESTAMP WITH TIME ZONE").oid).isEqualTo(1184);
        assertThat(PgType.ofDuckDb("STRUCT(a INTEGER)").oid).isEqualTo(25);
    }

    private static int[] shorts(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int[] out = new int[b.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = buf.getShort();
        }
        return out;
    }
}
