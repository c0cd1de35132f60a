package io.omnisql.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the API contract, {@code openapi.yaml} from the classpath (src/main/resources), at {@code GET /openapi.yaml}. */
public final class OpenApiRoute {
    public static final String RESOURCE = "/openapi.yaml";
    private final byte[] document;

    public OpenApiRoute() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the classpath");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(HttpRouting.Builder routing) {
        routing.get("/openapi.yaml", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
            res.send(document);
        }).any("/openapi.yaml", (req, res) -> QueryRoutes.methodNotAllowed(res, "GET"));
    }
}
