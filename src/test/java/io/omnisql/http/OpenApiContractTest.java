package io.omnisql.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document in the repository is what the gateway serves, and real answers of every route, and of
 * every error a test can provoke, validate against it (status documented, media type documented, body valid
 * under JSON Schema 2020-12): the document cannot drift from the code without this test failing.
 */
class OpenApiContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DOCUMENT = Path.of("src/main/resources/openapi.yaml");
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static GatewayHarness gw;
    private static JsonNode openapi;
    /** "METHOD template" of every checked answer, to prove every documented operation was exercised. */
    private static final Set<String> exercised = new TreeSet<>();

    @BeforeAll
    static void start() throws Exception {
        Object yaml = new Yaml().load(Files.readString(DOCUMENT));
        openapi = JSON.valueToTree(yaml);
        gw = GatewayHarness.start((file, text) -> switch (file) {
            case "catalog.yaml" -> GatewayHarness.withGithubFaults(text, "{}");
            case "ratelimits.yaml" -> text.replace("- {team: platform, burst: 100, refill_per_second: 20}",
                    "- {team: platform, burst: 100, refill_per_second: 20}\n    - {team: tiny, burst: 1, refill_per_second: 0.01}");
            default -> text;
        });
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void servedDocumentIsTheOneInTheRepositoryAndDeclaresOpenApi31() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gw.uri("/openapi.yaml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/yaml");
        assertThat(r.body()).isEqualTo(Files.readString(DOCUMENT));
        assertThat(openapi.get("openapi").asText()).isEqualTo("3.1.0");
        // Every code of the error vocabulary is in the document's enum, and nothing else.
        List<String> documented = new ArrayList<>();
        openapi.at("/components/schemas/ErrorCode/enum").forEach(c -> documented.add(c.asText()));
        assertThat(documented).containsExactlyInAnyOrder(java.util.Arrays.stream(io.omnisql.error.ErrorCode.values())
                .map(Enum::name).toArray(String[]::new));
    }

    @Test
    void everyRouteAndErrorAnswersAsDocumented() throws Exception {
        String token = gw.token();
        String jira = "SELECT key, status FROM jira.issues WHERE project = 'WEB'";
        String pulls = "SELECT number, title FROM github.pull_requests WHERE repo = 'acme/infra'";

        check("POST", "/v1/query", gw.query(token, jira), 200);
        check("POST", "/v1/query", gw.query(token, pulls, 0), 200);
        check("POST", "/v1/query", gw.query(token, "SELEC nothing"), 400);
        check("POST", "/v1/query", gw.post("/v1/query", token, "{not json"), 400);
        check("POST", "/v1/query", gw.post("/v1/query", token, "{\"sql\":\"SELECT 1\",\"extra\":1}"), 400);
        check("POST", "/v1/query", gw.query(token, "SELECT nope FROM jira.issues"), 400);
        check("POST", "/v1/query", gw.query(token, "SELECT * FROM no.such_table"), 400);
        check("POST", "/v1/query", gw.query(token, "DELETE FROM jira.issues"), 400);
        check("POST", "/v1/query", gw.query(null, jira), 401);
        check("POST", "/v1/query", gw.query("not-a-token", jira), 401);
        check("POST", "/v1/query", gw.query(gw.token("carl", "mobile", "contractor", ""), jira), 403);
        check("POST", "/v1/query", gw.postExpectingContinue("/v1/query", token, "{\"sql\":\"" + "x".repeat(1 << 20) + "\"}"), 413);
        check("POST", "/v1/query", gw.post("/v1/query", token,
                "{\"sql\":\"SELECT key FROM jira.issues WHERE project = 'MOB'\",\"timeout_ms\":1}"), 504);
        String tiny = gw.token("tina", "tiny", "analyst", "");
        check("POST", "/v1/query", gw.query(tiny, "SELECT 1"), 200);
        check("POST", "/v1/query", gw.query(tiny, "SELECT 1"), 429);
        check("GET", "/v1/query", gw.get("/v1/query", token), 405);

        check("POST", "/v1/explain", gw.post("/v1/explain", token, body(pulls)), 200);
        // After one fetch of both sides, explain carries a join-driven pushdown decision.
        String joined = "SELECT i.key FROM jira.issues i JOIN jira_dc.issues d ON d.key = i.key WHERE i.key = 'WEB-1'";
        check("POST", "/v1/query", gw.query(token, joined, 0), 200);
        Response withJoin = gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", joined)
                .put("max_staleness_ms", 0).toString());
        assertThat(withJoin.body().get("join_pushdown")).as(withJoin.text()).isNotEmpty();
        check("POST", "/v1/explain", withJoin, 200);
        check("POST", "/v1/explain", gw.post("/v1/explain", token, body("SELEC")), 400);
        check("POST", "/v1/explain", gw.post("/v1/explain", null, body(pulls)), 401);
        check("GET", "/v1/explain", gw.get("/v1/explain", token), 405);

        Response submitted = gw.post("/v1/query", token, JSON.createObjectNode().put("sql", jira).put("async", true).toString());
        check("POST", "/v1/query", submitted, 202);
        String id = submitted.body().get("id").asText();
        Response view = gw.get("/v1/queries/" + id, token);
        for (int i = 0; i < 200 && view.body().has("next_uri"); i++) {
            Thread.sleep(25);
            view = gw.get("/v1/queries/" + id, token);
        }
        check("GET", "/v1/queries/{id}", view, 200);
        assertThat(view.body().at("/answer/rows").isArray()).as(view.text()).isTrue();
        check("GET", "/v1/queries", gw.get("/v1/queries", token), 200);
        check("GET", "/v1/queries", gw.get("/v1/queries", null), 401);
        check("POST", "/v1/queries", gw.post("/v1/queries", token, "{}"), 405);
        check("DELETE", "/v1/queries/{id}", gw.delete("/v1/queries/" + id, token), 200);
        check("GET", "/v1/queries/{id}", gw.get("/v1/queries/no-such-id", token), 404);
        check("POST", "/v1/queries/{id}", gw.post("/v1/queries/" + id, token, "{}"), 405);

        check("GET", "/v1/catalog", gw.get("/v1/catalog", token), 200);
        check("GET", "/v1/catalog", gw.get("/v1/catalog", null), 401);
        check("POST", "/v1/catalog", gw.post("/v1/catalog", token, "{}"), 405);

        for (String health : List.of("/health", "/health/live", "/health/ready")) {
            check("GET", health, gw.get(health, null), 200);
            check("POST", health, gw.post(health, null, ""), 405);
        }
        gw.gateway().readiness().register("contract-test", () -> false);
        Response notReady = gw.get("/health/ready", null);
        check("GET", "/health/ready", notReady, 503);
        assertThat(notReady.body().at("/checks/contract-test").asText()).isEqualTo("DOWN");
        assertThat(notReady.body().at("/checks/engine").asText()).isEqualTo("UP");
        gw.gateway().readiness().register("contract-test", () -> true);
        gw.gateway().readiness().registerDegradable("contract-degradable", () -> false);
        Response degraded = gw.get("/health/ready", null);
        check("GET", "/health/ready", degraded, 200);
        assertThat(degraded.body().at("/status").asText()).isEqualTo("UP");
        assertThat(degraded.body().at("/checks/contract-degradable").asText()).isEqualTo("DEGRADED");
        gw.gateway().readiness().registerDegradable("contract-degradable", () -> true);

        check("GET", "/metrics", gw.get("/metrics", null), 200);
        check("GET", "/openapi.yaml", gw.get("/openapi.yaml", null), 200);
        check("POST", "/openapi.yaml", gw.post("/openapi.yaml", null, ""), 405);

        check("GET", "/dev/token", gw.get("/dev/token?sub=alice&team=mobile", null), 200);
        check("GET", "/dev/token", gw.get("/dev/token", null), 400);
        check("GET", "/dev/jwks", gw.get("/dev/jwks", null), 200);
        check("GET", "/dev/.well-known/openid-configuration", gw.get("/dev/.well-known/openid-configuration", null), 200);
        check("GET", "/{unmatched}", gw.get("/no/such/route", null), 404);

        // Upstream failures: a cached table cannot be refreshed (503 STALE_DATA), an uncached one fails (502).
        check("POST", "/v1/query", gw.query(token, pulls), 200);
        assertThat(gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, "{error_every: 1}"))).isTrue();
        Thread.sleep(5);
        Response stale = gw.query(token, pulls, 0);
        check("POST", "/v1/query", stale, 503);
        assertThat(stale.errorCode()).isEqualTo("STALE_DATA");
        Response failed = gw.query(token, "SELECT number FROM github.pull_requests WHERE repo = 'acme/web-app'", 0);
        check("POST", "/v1/query", failed, 502);
        assertThat(failed.errorCode()).isEqualTo("SOURCE_ERROR");

        Set<String> documented = new TreeSet<>();
        openapi.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (HTTP_METHODS.contains(m)) {
                documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertThat(exercised).as("every documented operation answered").containsAll(documented);
    }

    /** Validates one real answer against the operation's documented response for its status. */
    private static void check(String method, String path, Response r, int expectedStatus) throws Exception {
        assertThat(r.status()).as("%s %s: %s", method, path, r.text()).isEqualTo(expectedStatus);
        JsonNode pathItem = openapi.get("paths").get(path);
        assertThat(pathItem).as("path %s documented", path).isNotNull();
        JsonNode operation = pathItem.get(method.toLowerCase(Locale.ROOT));
        if (operation == null) {
            // Other methods on a documented path: 405 (or 404 for unmatched paths), in the error vocabulary.
            assertThat(r.status()).as("%s %s is undocumented", method, path).isIn(404, 405);
            validate(r, resolve(openapi.at("/components/responses/" + (r.status() == 405 ? "MethodNotAllowed" : "NotFound"))),
                    method + " " + path);
            exercised.add(method + " " + path);
            return;
        }
        JsonNode response = operation.get("responses").get(Integer.toString(r.status()));
        assertThat(response).as("%s %s: status %d documented", method, path, r.status()).isNotNull();
        validate(r, resolve(response), method + " " + path);
        exercised.add(method + " " + path);
    }

    private static void validate(Response r, JsonNode response, String what) {
        String contentType = r.header("content-type");
        assertThat(contentType).as(what).isNotNull();
        String mediaType = contentType.split(";")[0].strip();
        JsonNode content = response.get("content").get(mediaType);
        assertThat(content).as("%s: media type %s documented for %d", what, mediaType, r.status()).isNotNull();
        if (!mediaType.equals("application/json")) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.putArray("allOf").add(content.get("schema"));
        root.set("components", openapi.get("components"));
        JsonSchema schema = SCHEMAS.getSchema(root);
        Set<ValidationMessage> errors = schema.validate(r.body());
        assertThat(errors).as("%s %d body %s", what, r.status(), abbreviate(r.text())).isEmpty();
    }

    /** Follows a response object's {@code $ref} within the document. */
    private static JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int i = 0; current.has("$ref") && i < 10; i++) {
            current = openapi.at(current.get("$ref").asText().substring(1));
        }
        assertThat(current.isMissingNode()).isFalse();
        return current;
    }

    private static String body(String sql) {
        return JSON.createObjectNode().put("sql", sql).toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }


}
