package io.omnisql.connector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A validating cursor over one JSON document in a byte array, for {@link JsonRows}. Values nobody reads are
 * skipped by scanning bytes (still checked against the JSON grammar, so a malformed page fails wherever the
 * fault is) instead of being tokenized: field names are compared as bytes, and only the strings a column
 * reads become Java strings. An upstream item is mostly nested objects and URLs no query asks for, so this is
 * where extraction spends or saves its time.
 */
final class JsonScanner {
    /** Deeper nesting is refused (Jackson's default limit too): a hostile page cannot exhaust the stack array. */
    private static final int MAX_DEPTH = 1_000;
    /** Bytes that end a run of plain string content: quote, backslash, control characters. */
    private static final boolean[] STRING_STOP = new boolean[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            STRING_STOP[c] = true;
        }
        STRING_STOP['"'] = true;
        STRING_STOP['\\'] = true;
    }

    private final byte[] b;
    private final int end;
    private int pos;
    /** Open containers while skipping ('{' or '['), reused across values. */
    private byte[] stack = new byte[32];

    /** The body is not well-formed JSON. */
    static final class MalformedJsonException extends IOException {
        MalformedJsonException(String message) {
            super(message);
        }
    }

    JsonScanner(byte[] body) {
        this.b = body;
        this.end = body.length;
    }

    int position() {
        return pos;
    }

    byte[] bytes() {
        return b;
    }

    /** The next non-whitespace byte, not consumed; -1 at the end of the input. */
    int peek() {
        while (pos < end) {
            int c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c & 0xFF;
            }
            pos++;
        }
        return -1;
    }

    void expect(char c) throws MalformedJsonException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    /** Consumes the '{' or '[' at the cursor. */
    void open() {
        pos++;
    }

    /**
     * Inside an object: true with the cursor on the next field's name, or false after consuming the closing
     * brace. {@code first} is true right after the opening brace.
     */
    boolean nextField(boolean first) throws MalformedJsonException {
        if (!next(first, '}')) {
            return false;
        }
        if (peek() != '"') {
            throw error("expected a field name");
        }
        return true;
    }

    /** Inside an array: true with the cursor on the next element, or false after consuming the closing bracket. */
    boolean nextElement(boolean first) throws MalformedJsonException {
        return next(first, ']');
    }

    private boolean next(boolean first, char close) throws MalformedJsonException {
        int c = peek();
        if (c == close) {
            pos++;
            return false;
        }
        if (!first) {
            if (c != ',') {
                throw error("expected ',' or '" + close + "'");
            }
            pos++;
        }
        return true;
    }

    /**
     * Reads the field name at the cursor and the colon after it, and returns the index of the name among
     * {@code names} (UTF-8), or -1. No string is made unless the name is escaped.
     */
    int name(byte[][] names) throws MalformedJsonException {
        int start = pos + 1;
        boolean escaped = skipString();
        int len = pos - 1 - start;
        int found = -1;
        if (escaped) {
            byte[] decoded = decode(start, pos - 1).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < names.length && found < 0; i++) {
                found = Arrays.equals(decoded, names[i]) ? i : -1;
            }
        } else {
            for (int i = 0; i < names.length && found < 0; i++) {
                byte[] n = names[i];
                found = n.length == len && Arrays.equals(b, start, start + len, n, 0, len) ? i : -1;
            }
        }
        expect(':');
        return found;
    }

    /** Reads the field name at the cursor and the colon after it. */
    String name() throws MalformedJsonException {
        String name = string();
        expect(':');
        return name;
    }

    /** Reads the string at the cursor. */
    String string() throws MalformedJsonException {
        int start = pos + 1;
        boolean ascii = true;
        int i = start;
        while (i < end) {
            int c = b[i];
            if (c == '"') {
                pos = i + 1;
                return new String(b, start, i - start, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            }
            if (c == '\\' || (c >= 0 && c < 0x20)) {
                break;
            }
            ascii &= c >= 0;
            i++;
        }
        skipString();
        return decode(start, pos - 1);
    }

    /** The string content in [from, to) with its escapes resolved (already validated by {@link #skipString}). */
    private String decode(int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int run = from;
        int i = from;
        while (i < to) {
            if (b[i] != '\\') {
                i++;
                continue;
            }
            out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
            char e = (char) b[i + 1];
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append((char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.ISO_8859_1), 16));
                default -> out.append(e);
            }
            i += e == 'u' ? 6 : 2;
            run = i;
        }
        return out.append(new String(b, run, to - run, StandardCharsets.UTF_8)).toString();
    }

    /** Skips the string at the cursor, checking its escapes; true when it holds any. */
    private boolean skipString() throws MalformedJsonException {
        int i = pos + 1;
        boolean escaped = false;
        while (true) {
            while (i < end && !STRING_STOP[b[i] & 0xFF]) {
                i++;
            }
            if (i >= end) {
                pos = i;
                throw error("unterminated string");
            }
            int c = b[i];
            if (c == '"') {
                pos = i + 1;
                return escaped;
            }
            if (c != '\\') {
                pos = i;
                throw error("control character in a string");
            }
            escaped = true;
            int e = i + 1 < end ? b[i + 1] : -1;
            switch (e) {
                case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
                case 'u' -> {
                    for (int h = i + 2; h < i + 6; h++) {
                        if (h >= end || Character.digit(b[h], 16) < 0) {
                            pos = i;
                            throw error("bad \\u escape");
                        }
                    }
                    i += 6;
                }
                default -> {
                    pos = i;
                    throw error("bad escape");
                }
            }
        }
    }

    /** Skips the number at the cursor, or fails naming what stands there instead; true when it is an integer. */
    boolean number() throws MalformedJsonException {
        int c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            throw error(c < 0 ? "unexpected end of input" : "unexpected character '" + (char) c + "'");
        }
        return skipNumber();
    }

    /**
     * Skips the number at the cursor (JSON grammar: no leading zeros, digits after '.' and after the exponent);
     * returns true when it is an integer (no fraction, no exponent).
     */
    private boolean skipNumber() throws MalformedJsonException {
        int i = pos;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i < end && b[i] == '0') {
            i++;
        } else if (i < end && b[i] >= '1' && b[i] <= '9') {
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
        } else {
            pos = i;
            throw error("bad number");
        }
        boolean integral = true;
        if (i < end && b[i] == '.') {
            integral = false;
            i = digits(i + 1);
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            integral = false;
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            i = digits(i);
        }
        pos = i;
        return integral;
    }

    private int digits(int from) throws MalformedJsonException {
        int i = from;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        if (i == from) {
            pos = i;
            throw error("bad number");
        }
        return i;
    }

    /** The integer in [from, to) when it has at most 18 digits (fits a long for sure); else null. */
    Long smallInteger(int from, int to) {
        boolean negative = b[from] == '-';
        int i = negative ? from + 1 : from;
        if (to - i > 18) {
            return null;
        }
        long v = 0;
        for (; i < to; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return negative ? -v : v;
    }

    /** Consumes the literal (true, false, null) at the cursor. */
    void literal(String word) throws MalformedJsonException {
        int n = word.length();
        if (pos + n > end) {
            throw error("bad literal");
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw error("bad literal");
            }
        }
        pos += n;
    }

    /** Skips the value at the cursor, whatever it is, checking it against the JSON grammar. */
    void skipValue() throws MalformedJsonException {
        int depth = 0;
        while (true) {
            // A value is expected here.
            int c = peek();
            switch (c) {
                case '{', '[' -> {
                    if (depth == MAX_DEPTH) {
                        throw error("nesting deeper than " + MAX_DEPTH);
                    }
                    pos++;
                    if (peek() == (c == '{' ? '}' : ']')) {
                        pos++;
                        break;
                    }
                    if (depth == stack.length) {
                        stack = Arrays.copyOf(stack, depth * 2);
                    }
                    stack[depth++] = (byte) c;
                    if (c == '{') {
                        fieldName();
                    }
                    continue;
                }
                case '"' -> skipString();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> number();
            }
            // A value ended: close containers until one continues with a comma.
            while (true) {
                if (depth == 0) {
                    return;
                }
                boolean inObject = stack[depth - 1] == '{';
                int d = peek();
                if (d == ',') {
                    pos++;
                    if (inObject) {
                        fieldName();
                    }
                    break;
                }
                if (d != (inObject ? '}' : ']')) {
                    throw error(inObject ? "expected ',' or '}'" : "expected ',' or ']'");
                }
                pos++;
                depth--;
            }
        }
    }

    private void fieldName() throws MalformedJsonException {
        if (peek() != '"') {
            throw error("expected a field name");
        }
        skipString();
        expect(':');
    }

    MalformedJsonException error(String what) {
        return new MalformedJsonException(what + " at byte " + pos);
    }
}
