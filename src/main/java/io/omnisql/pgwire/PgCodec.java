package io.omnisql.pgwire;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Postgres text and binary encodings of result values. Values arrive as the engine reads them (Long, Integer,
 * Double, BigDecimal, Boolean, String, ISO date/time strings or java.time values, Lists for arrays); a value
 * that does not fit its column's type is sent as its text (a type the client asked binary for still gets
 * well-formed bytes, never a truncated number).
 */
final class PgCodec {
    private static final LocalDateTime PG_EPOCH = LocalDateTime.of(2000, 1, 1, 0, 0);
    private static final LocalDate PG_EPOCH_DATE = LocalDate.of(2000, 1, 1);
    private static final DateTimeFormatter TS = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).toFormatter();
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).toFormatter();

    private PgCodec() {
    }

    static byte[] text(Object v, PgType type, ZoneId zone) {
        return v == null ? null : textOf(v, type, zone).getBytes(StandardCharsets.UTF_8);
    }

    static String textOf(Object v, PgType type, ZoneId zone) {
        if (type.element != null && v instanceof List<?> list) {
            return arrayText(list, type.element, zone);
        }
        return switch (type) {
            case BOOL -> v instanceof Boolean b ? (b ? "t" : "f") : v.toString();
            case FLOAT4, FLOAT8 -> v instanceof Number n ? floatText(n.doubleValue()) : v.toString();
            case NUMERIC -> v instanceof BigDecimal d ? d.toPlainString() : v.toString();
            case TIMESTAMP -> timestamp(v).map(TS::format).orElse(v.toString());
            case TIMESTAMPTZ -> instant(v).map(t -> tzText(t, zone)).orElse(v.toString());
            case TIME -> v instanceof LocalTime t ? TIME.format(t) : v.toString();
            default -> v instanceof List<?> list ? arrayText(list, PgType.TEXT, zone) : v.toString();
        };
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d).replace("E", "e");
    }

    private static String tzText(OffsetDateTime t, ZoneId zone) {
        OffsetDateTime local = t.atZoneSameInstant(zone).toOffsetDateTime();
        int secs = local.getOffset().getTotalSeconds();
        String sign = secs < 0 ? "-" : "+";
        int abs = Math.abs(secs);
        String offset = sign + String.format("%02d", abs / 3600) + (abs % 3600 == 0 ? "" : String.format(":%02d", abs % 3600 / 60));
        return TS.format(local.toLocalDateTime()) + offset;
    }

    private static String arrayText(List<?> list, PgType element, ZoneId zone) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Object item = list.get(i);
            if (item == null) {
                b.append("NULL");
                continue;
            }
            String s = textOf(item, element, zone);
            if (s.isEmpty() || s.equalsIgnoreCase("NULL") || s.chars().anyMatch(c -> "{},\"\\ \t\n\r".indexOf(c) >= 0)) {
                b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                b.append(s);
            }
        }
        return b.append('}').toString();
    }

    /** The binary encoding; types without one (and values that do not fit) fall back to their text bytes. */
    static byte[] binary(Object v, PgType type, ZoneId zone) {
        if (v == null) {
            return null;
        }
        try {
            byte[] b = binaryOrNull(v, type);
            return b != null ? b : text(v, type, zone);
        } catch (RuntimeException e) {
            return text(v, type, zone);
        }
    }

    private static byte[] binaryOrNull(Object v, PgType type) {
        if (type.element != null) {
            return v instanceof List<?> list ? arrayBinary(list, type.element) : null;
        }
        return switch (type) {
            case BOOL -> v instanceof Boolean b ? new byte[] {(byte) (b ? 1 : 0)} : null;
            case INT2 -> ByteBuffer.allocate(2).putShort((short) Math.toIntExact(whole(v))).array();
            case INT4, OID -> ByteBuffer.allocate(4).putInt(Math.toIntExact(whole(v))).array();
            case INT8 -> ByteBuffer.allocate(8).putLong(whole(v)).array();
            case FLOAT4 -> ByteBuffer.allocate(4).putFloat((float) real(v)).array();
            case FLOAT8 -> ByteBuffer.allocate(8).putDouble(real(v)).array();
            case NUMERIC -> numeric(v instanceof BigDecimal d ? d : new BigDecimal(v.toString()));
            case DATE -> ByteBuffer.allocate(4).putInt((int) ChronoUnit.DAYS.between(PG_EPOCH_DATE,
                    v instanceof LocalDate d ? d : LocalDate.parse(v.toString()))).array();
            case TIME -> v instanceof LocalTime t ? ByteBuffer.allocate(8).putLong(t.toNanoOfDay() / 1000).array() : null;
            case TIMESTAMP -> timestamp(v).map(t -> ByteBuffer.allocate(8).putLong(ChronoUnit.MICROS.between(PG_EPOCH, t)).array()).orElse(null);
            case TIMESTAMPTZ -> instant(v).map(t -> ByteBuffer.allocate(8)
                    .putLong(ChronoUnit.MICROS.between(PG_EPOCH, t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime())).array()).orElse(null);
            case UUID -> {
                java.util.UUID u = java.util.UUID.fromString(v.toString());
                yield ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
            }
            case BYTEA -> v instanceof byte[] b ? b : null;
            default -> v.toString().getBytes(StandardCharsets.UTF_8);
        };
    }

    private static long whole(Object v) {
        return v instanceof Number n && !(v instanceof BigDecimal) && !(v instanceof BigInteger) ? n.longValue()
                : new BigDecimal(v.toString()).longValueExact();
    }

    private static double real(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString());
    }

    private static byte[] arrayBinary(List<?> list, PgType element) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        try {
            boolean nulls = list.contains(null);
            d.writeInt(1);
            d.writeInt(nulls ? 1 : 0);
            d.writeInt(element.oid);
            d.writeInt(list.size());
            d.writeInt(1);
            for (Object item : list) {
                byte[] b = item == null ? null : binaryOrNull(item, element);
                if (item != null && b == null) {
                    return null;
                }
                d.writeInt(b == null ? -1 : b.length);
                if (b != null) {
                    d.write(b);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Postgres NUMERIC binary: base-10000 digits with weight, sign and display scale. */
    static byte[] numeric(BigDecimal value) {
        int dscale = Math.max(0, value.scale());
        String plain = value.abs().setScale(dscale, java.math.RoundingMode.UNNECESSARY).toPlainString();
        int dot = plain.indexOf('.');
        String intPart = dot < 0 ? plain : plain.substring(0, dot);
        String fracPart = dot < 0 ? "" : plain.substring(dot + 1);
        intPart = "0".repeat((4 - intPart.length() % 4) % 4) + intPart;
        fracPart = fracPart + "0".repeat((4 - fracPart.length() % 4) % 4);
        String all = intPart + fracPart;
        int groups = all.length() / 4;
        short[] digits = new short[groups];
        for (int i = 0; i < groups; i++) {
            digits[i] = Short.parseShort(all.substring(i * 4, i * 4 + 4));
        }
        int weight = intPart.length() / 4 - 1;
        int first = 0;
        while (first < groups && digits[first] == 0) {
            first++;
            weight--;
        }
        int last = groups;
        while (last > first && digits[last - 1] == 0) {
            last--;
        }
        int n = last - first;
        if (n == 0) {
            weight = 0;
        }
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * n);
        b.putShort((short) n).putShort((short) weight).putShort((short) (value.signum() < 0 ? 0x4000 : 0)).putShort((short) dscale);
        for (int i = first; i < last; i++) {
            b.putShort(digits[i]);
        }
        return b.array();
    }

    private static java.util.Optional<LocalDateTime> timestamp(Object v) {
        return switch (v) {
            case LocalDateTime t -> java.util.Optional.of(t);
            case java.sql.Timestamp t -> java.util.Optional.of(t.toLocalDateTime());
            case String s -> {
                try {
                    yield java.util.Optional.of(LocalDateTime.parse(s.replace(' ', 'T')));
                } catch (java.time.format.DateTimeParseException e) {
                    yield java.util.Optional.empty();
                }
            }
            default -> java.util.Optional.empty();
        };
    }

    private static java.util.Optional<OffsetDateTime> instant(Object v) {
        return switch (v) {
            case OffsetDateTime t -> java.util.Optional.of(t);
            case String s -> {
                try {
                    yield java.util.Optional.of(OffsetDateTime.parse(s.replace(' ', 'T')));
                } catch (java.time.format.DateTimeParseException e) {
                    yield timestamp(s).map(t -> t.atOffset(ZoneOffset.UTC));
                }
            }
            default -> timestamp(v).map(t -> t.atOffset(ZoneOffset.UTC));
        };
    }
}
