package io.omnisql.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The JSON body of a POST search: the table's declared {@code body} object, with each query parameter of the
 * request (page size, cursor, pushed filters, JQL, fields) set as a field, so paging and pushdown work the same
 * as with GET. A parameter the declared body holds as a list is sent as a list (split at commas: Jira's
 * {@code fields}); a whole number as a number; {@code true}/{@code false} as a boolean; anything else as text.
 */
final class PostBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PostBody() {
    }

    static byte[] of(Map<String, Object> declared, URI uri) {
        ObjectNode body = JSON.valueToTree(declared);
        String query = uri.getRawQuery();
        if (query != null) {
            for (String part : query.split("&")) {
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                if (body.get(name) instanceof ArrayNode) {
                    ArrayNode list = body.putArray(name);
                    for (String v : value.split(",")) {
                        if (!v.isEmpty()) {
                            list.add(v);
                        }
                    }
                } else if (value.matches("-?\\d{1,18}")) {
                    body.put(name, Long.parseLong(value));
                } else if (value.equals("true") || value.equals("false")) {
                    body.put(name, Boolean.parseBoolean(value));
                } else {
                    body.put(name, value);
                }
            }
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
