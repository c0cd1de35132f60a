package io.omnisql.sim;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One answer before fault injection: status, extra headers, JSON body (null for 304). */
record Reply(int status, Map<String, String> headers, byte[] body) {

    static Reply json(int status, byte[] body) {
        return new Reply(status, new LinkedHashMap<>(), body);
    }

    static Reply json(int status, String body) {
        return json(status, body.getBytes(StandardCharsets.UTF_8));
    }

    Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
