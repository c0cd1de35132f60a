package io.omnisql.http;

import io.helidon.webserver.http.HttpRouting;
import io.omnisql.error.ErrorCode;
import io.omnisql.observe.Readiness;
import java.util.List;
import java.util.Map;

/**
 * Health as orchestrators probe it: {@code /health/live} (the process serves HTTP), {@code /health/ready} (every
 * readiness check passes: 200, else 503 NOT_READY naming the failing checks), {@code /health} (liveness, kept for
 * existing probes).
 */
public final class HealthRoutes {
    private final Readiness readiness;

    public HealthRoutes(Readiness readiness) {
        this.readiness = readiness;
    }

    public void register(HttpRouting.Builder routing) {
        routing.get("/health/live", (req, res) -> QueryRoutes.send(res, 200, up()))
                .get("/health/ready", (req, res) -> {
                    Map<String, Readiness.State> checks = readiness.check();
                    List<String> down = checks.entrySet().stream().filter(c -> c.getValue() == Readiness.State.DOWN)
                            .map(Map.Entry::getKey).toList();
                    boolean ready = down.isEmpty();
                    QueryRoutes.send(res, ready ? 200 : ErrorCode.NOT_READY.status(), Json.write(g -> {
                        g.writeStartObject();
                        g.writeStringField("status", ready ? "UP" : "DOWN");
                        g.writeObjectFieldStart("checks");
                        for (Map.Entry<String, Readiness.State> c : checks.entrySet()) {
                            g.writeStringField(c.getKey(), c.getValue().name());
                        }
                        g.writeEndObject();
                        if (!ready) {
                            g.writeObjectFieldStart("error");
                            g.writeStringField("code", ErrorCode.NOT_READY.name());
                            g.writeStringField("message", "not ready: " + String.join(", ", down) + " down");
                            g.writeEndObject();
                        }
                        g.writeEndObject();
                    }));
                })
                .any("/health", (req, res) -> QueryRoutes.methodNotAllowed(res, "GET"))
                .any("/health/live", (req, res) -> QueryRoutes.methodNotAllowed(res, "GET"))
                .any("/health/ready", (req, res) -> QueryRoutes.methodNotAllowed(res, "GET"));
    }

    private static byte[] up() {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "UP");
            g.writeEndObject();
        });
    }
}
