package io.omnisql.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.exec.QueryResult;
import java.nio.charset.StandardCharsets;

/**
 * Renders answers as {@code {"columns":[...],"rows":[...],"metadata":{...}}}. The columns and rows are
 * rendered once per result instance: a cached result (the same object for every request the result
 * cache serves) is serialised on its first answer only, and each later answer copies those bytes and
 * writes just its own metadata. Entries are keyed by identity and vanish when the result is collected.
 */
final class ResultJson {
    private static final byte[] METADATA = ",\"metadata\":".getBytes(StandardCharsets.UTF_8);
    private final Cache<QueryResult, byte[]> rendered;

    ResultJson(long maxBytes) {
        this.rendered = Caffeine.newBuilder().executor(Runnable::run)
                .weakKeys()
                .maximumWeight(maxBytes)
                .weigher((QueryResult r, byte[] b) -> b.length)
                .build();
    }

    /** The whole answer: the result's cached members, then {@code metadata} written by the caller as one object. */
    byte[] answer(QueryResult result, Json.Body metadata) {
        byte[] members = rendered.get(result, ResultJson::members);
        byte[] meta = Json.write(metadata);
        // Assembled in one array of the exact size: the rows are copied once per answer.
        byte[] out = new byte[members.length + METADATA.length + meta.length + 2];
        out[0] = '{';
        System.arraycopy(members, 0, out, 1, members.length);
        System.arraycopy(METADATA, 0, out, 1 + members.length, METADATA.length);
        System.arraycopy(meta, 0, out, 1 + members.length + METADATA.length, meta.length);
        out[out.length - 1] = '}';
        return out;
    }

    /** {@code "columns":[...],"rows":[...]} without the enclosing braces. */
    private static byte[] members(QueryResult r) {
        byte[] object = Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("columns");
            for (QueryResult.ResultColumn c : r.columns()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("type", c.type());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rows");
            for (Object[] row : r.rows()) {
                g.writeStartArray();
                for (Object v : row) {
                    Json.value(g, v);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        return java.util.Arrays.copyOfRange(object, 1, object.length - 1);
    }
}
