package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The byte-scanning extractor against Jackson on random documents: the same typed values as reading each
 * column's path from Jackson's tree, and the same verdict on well-formedness after random damage.
 */
class JsonRowsDifferentialTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String[] NAMES = {"id", "title", "user", "login", "head", "ref", "labels", "n", "flag", "at",
        "caf\u00e9", "x"};
    private static final String[] PATHS = {"id", "title", "user.login", "head.ref", "labels[0]", "labels[1].x", "n",
        "flag", "at", "user", "caf\u00e9", "head.user.login", "x.x.x"};
    private static final ColumnType[] TYPES = ColumnType.values();
    private static final Map<String, String> TEAMS = Map.of("ana", "web", "true", "yes", "7", "seven");

    @Test
    void typedValuesMatchJacksonsTreeForEveryPathAndType() throws IOException {
        Random random = new Random(42);
        for (int doc = 0; doc < 2_000; doc++) {
            List<ColumnDef> columns = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                String path = PATHS[random.nextInt(PATHS.length)];
                boolean mapped = random.nextInt(6) == 0;
                columns.add(new ColumnDef("c" + c, TYPES[random.nextInt(TYPES.length)], path,
                        mapped ? "teams" : "", "", Map.of(), null, ""));
            }
            String json = array(random, 3);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            List<Object[]> rows = new JsonRows(columns, Map.of("teams", TEAMS)).page(body, "", Set.of()).rows();
            JsonNode items = MAPPER.readTree(body);
            assertThat(rows).as(json).hasSize(items.size());
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < columns.size(); c++) {
                    ColumnDef col = columns.get(c);
                    JsonNode v = JsonRows.at(items.get(r), JsonRows.path(col.path()));
                    Object expected = col.mapping().isEmpty() ? Values.convert(v, col.type())
                            : v == null || v.isNull() ? null : TEAMS.get(v.asText());
                    assertThat(rows.get(r)[c]).as("%s %s in %s", col.path(), col.type(), json).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void damagedDocumentsAreRefusedExactlyWhenJacksonRefusesThem() {
        Random random = new Random(7);
        JsonRows extractor = new JsonRows(List.of(new ColumnDef("id", ColumnType.BIGINT, "id", "", "", Map.of(), null, "")),
                Map.of());
        int refused = 0;
        for (int doc = 0; doc < 3_000; doc++) {
            StringBuilder json = new StringBuilder(array(random, 3).replaceAll("[^\\x00-\\x7f]", "u"));
            int at = random.nextInt(json.length());
            switch (random.nextInt(3)) {
                case 0 -> json.deleteCharAt(at);
                case 1 -> json.insert(at, "{}[]\",:0-.eE\\ tfn".charAt(random.nextInt(17)));
                default -> json.setCharAt(at, "{}[]\",:0-.eE\\ tfn".charAt(random.nextInt(17)));
            }
            byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
            boolean jacksonAccepts = accepts(() -> {
                JsonNode tree = STRICT.readTree(body);
                return tree.isMissingNode() ? null : tree; // an empty body: no page either way
            });
            boolean scannerAccepts = accepts(() -> extractor.page(body, "", Set.of()));
            refused += jacksonAccepts ? 0 : 1;
            assertThat(scannerAccepts).as(json.toString()).isEqualTo(jacksonAccepts);
        }
        assertThat(refused).as("damage that breaks the grammar").isGreaterThan(1_000);
    }

    @Test
    void longStringsAreReadAndRefusedAsJacksonDoesWhereverAQuoteBackslashOrControlCharacterFalls() throws IOException {
        // Every offset of every kind of byte that ends or escapes plain content, in a string read and in one skipped.
        JsonRows extractor = new JsonRows(List.of(new ColumnDef("t", ColumnType.VARCHAR, "t", "", "", Map.of(), null, ""),
                new ColumnDef("id", ColumnType.BIGINT, "id", "", "", Map.of(), null, "")), Map.of());
        String[] stops = {"\\\"", "\\\\", "\\n", "\\u00e9", "\u00e9", "\ud83d\ude00", "\u0001", "\u001f", "\n", "\"", "\u007f"};
        int checked = 0;
        for (int length = 0; length < 34; length++) {
            for (int at = 0; at <= length; at++) {
                for (String stop : stops) {
                    String text = "a".repeat(at) + stop + "b".repeat(length - at);
                    String json = "[{\"skip\":\"" + text + "\",\"t\":\"" + text + "\",\"id\":" + length + "}]";
                    byte[] body = json.getBytes(StandardCharsets.UTF_8);
                    boolean jacksonAccepts = accepts(() -> STRICT.readTree(body));
                    if (!jacksonAccepts) {
                        assertThat(accepts(() -> extractor.page(body, "", Set.of()))).as(json).isFalse();
                        continue;
                    }
                    JsonNode item = MAPPER.readTree(body).get(0);
                    Object[] row = extractor.page(body, "", Set.of()).rows().get(0);
                    assertThat(row).as(json).containsExactly(item.get("t").asText(), (long) length);
                    checked++;
                }
            }
        }
        assertThat(checked).as("well-formed cases").isGreaterThan(3_000);
    }

    private interface Parse {
        Object run() throws IOException;
    }

    private static boolean accepts(Parse parse) {
        try {
            return parse.run() != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static String array(Random random, int depth) {
        StringBuilder out = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append(space(random)).append(object(random, depth));
        }
        return out.append(space(random)).append(']').toString();
    }

    private static String object(Random random, int depth) {
        StringBuilder out = new StringBuilder("{");
        List<String> names = new ArrayList<>(List.of(NAMES));
        java.util.Collections.shuffle(names, random);
        int n = random.nextInt(names.size());
        for (int i = 0; i < n; i++) {
            String name = names.get(i); // distinct: duplicate keys are not JSON anyone sends
            out.append(i == 0 ? "" : ",").append(space(random)).append(string(random, name)).append(space(random))
                    .append(':').append(space(random)).append(value(random, depth - 1));
        }
        return out.append(space(random)).append('}').toString();
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 7);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> String.valueOf(random.nextInt(2_000_001) - 1_000_000);
            case 3 -> List.of("0", "-0", "7", "7.9", "-1.5e3", "1E+2", "3000000000", "12345678901234567890",
                    "0.000001", "2").get(random.nextInt(10));
            case 4, 5 -> string(random, List.of("ana", "7", "true", " 42 ", "TRUE", "2025-03-17T17:57:23Z",
                    "2025-03-17T17:57:23.120+0200", "yes\nno", "tab\there", "quote \" and \\ slash", "caf\u00e9 \ud83d\ude00",
                    "", "1.5").get(random.nextInt(13)));
            case 6 -> string(random, "t" + random.nextInt(100));
            case 7 -> object(random, depth);
            default -> array(random, depth);
        };
    }

    /** The text as a JSON string, escaped one of the ways JSON allows. */
    private static String string(Random random, String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (c > 0x7e && random.nextBoolean()) || random.nextInt(40) == 0) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String space(Random random) {
        return List.of("", "", "", " ", "\n  ", "\t").get(random.nextInt(6));
    }
}
