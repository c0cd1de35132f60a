package io.omnisql.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.WebServer;
import io.omnisql.error.QueryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in demo issuer served by a real Helidon server, validated through the OIDC path. */
class DemoIssuerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> SECTION = Map.of(
            "claims", Map.of("attributes", Map.of("department", "dept")), "demo_issuer", Map.of("enabled", true));

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final TestClock clock = new TestClock();
    private DemoIssuer demo;
    private WebServer server;
    private OidcAuthenticator authenticator;

    @BeforeEach
    void start() {
        IdentitySettings settings = IdentitySettings.fromMap(SECTION);
        demo = DemoIssuer.create(settings);
        server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> {
            r.get("/dev/jwks", (req, res) -> {
                jwksRequests.incrementAndGet();
                res.next();
            });
            demo.register(r);
        }).build().start();
        demo.bind(URI.create("http://127.0.0.1:" + server.port()));
        authenticator = new OidcAuthenticator(settings, demo::issuer, clock);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String tokenFromEndpoint(String query) throws Exception {
        HttpResponse<String> response = get("/dev/token?" + query);
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body()).path("access_token").asText();
    }

    private String token(String subject) {
        return demo.issueToken(subject, "eng", List.of("analyst"), List.of("query"), Map.of());
    }

    @Test
    void tokenEndpointIssuesBearerTokenThatAuthenticatesWithMappedClaims() throws Exception {
        HttpResponse<String> response = get("/dev/token?sub=alice&team=eng&roles=admin,analyst"
                + "&scopes=query:github,explain&department=R%26D");
        JsonNode body = JSON.readTree(response.body());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);

        Principal p = authenticator.authenticate("Bearer " + body.path("access_token").asText());
        assertThat(p.subject()).isEqualTo("alice");
        assertThat(p.team()).isEqualTo("eng");
        assertThat(p.roles()).containsExactlyInAnyOrder("admin", "analyst");
        assertThat(p.scopes()).containsExactlyInAnyOrder("query:github", "explain");
        assertThat(p.attribute("department")).contains("R&D");
    }

    @Test
    void discoveryDocumentNamesIssuerAndJwksUnderTheIssuerUrl() throws Exception {
        JsonNode doc = JSON.readTree(get("/dev/.well-known/openid-configuration").body());
        String issuer = "http://127.0.0.1:" + server.port() + "/dev";

        assertThat(doc.path("issuer").asText()).isEqualTo(issuer);
        assertThat(doc.path("jwks_uri").asText()).isEqualTo(issuer + "/jwks");
        JsonNode key = JSON.readTree(get("/dev/jwks").body()).path("keys").get(0);
        assertThat(key.path("kty").asText()).isEqualTo("RSA");
        assertThat(key.path("kid").asText()).isEqualTo(TokenForger.kidOf(token("alice")));
    }

    @Test
    void tokenRequestWithoutSubIsBadRequest() throws Exception {
        HttpResponse<String> response = get("/dev/token?team=eng");
        JsonNode error = JSON.readTree(response.body()).path("error");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error.path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(error.path("message").asText()).contains("'sub' is required");
    }

    @Test
    void disabledDemoIssuerAnswersNotFoundOnAllRoutes() throws Exception {
        demo.update(IdentitySettings.fromMap(Map.of("issuer", "https://login.example.com/realms/acme",
                "demo_issuer", Map.of("enabled", false))));

        for (String path : List.of("/dev/token?sub=alice", "/dev/.well-known/openid-configuration", "/dev/jwks")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void tokenTtlFollowsSettings() throws Exception {
        demo.update(IdentitySettings.fromMap(Map.of("demo_issuer", Map.of("enabled", true, "token_ttl_s", 60))));
        String token = tokenFromEndpoint("sub=alice");

        clock.advance(Duration.ofSeconds(60 + 31));

        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + token))
                .isInstanceOf(QueryException.class).hasMessageContaining("Token no longer valid");
    }

    @Test
    void rotatedKeyIsPickedUpWithoutRestartAndOldKeyKeepsWorkingDuringGrace() {
        String before = token("alice");
        String beforeUnseen = token("bob");
        authenticator.authenticate("Bearer " + before);

        demo.rotateKey(Duration.ofHours(1));
        clock.advance(Duration.ofSeconds(11));
        String after = token("carol");

        assertThat(TokenForger.kidOf(after)).isNotEqualTo(TokenForger.kidOf(before));
        assertThat(authenticator.authenticate("Bearer " + after).subject()).isEqualTo("carol");
        assertThat(authenticator.authenticate("Bearer " + before).subject()).isEqualTo("alice");
        assertThat(authenticator.authenticate("Bearer " + beforeUnseen).subject()).isEqualTo("bob");
    }

    @Test
    void keyWithdrawnWithoutGraceInvalidatesTokensItSigned() {
        String before = token("alice");
        String beforeUnseen = token("bob");
        authenticator.authenticate("Bearer " + before);

        demo.rotateKey(Duration.ZERO);
        clock.advance(Duration.ofSeconds(11));
        assertThat(authenticator.authenticate("Bearer " + token("carol")).subject()).isEqualTo("carol");

        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + beforeUnseen))
                .isInstanceOf(QueryException.class).hasMessageStartingWith("token is signed with an unknown key");
        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + before))
                .as("a cached acceptance ends when its key is withdrawn")
                .isInstanceOf(QueryException.class).hasMessageStartingWith("token is signed with an unknown key");
    }

    @Test
    void floodOfUnknownKidsFetchesJwksAtMostOncePerRefetchInterval() {
        authenticator.authenticate("Bearer " + token("alice"));
        assertThat(jwksRequests.get()).isEqualTo(1);
        TokenForger forger = new TokenForger();
        String issuer = demo.issuer().toString();

        for (int i = 0; i < 50; i++) {
            String forged = forger.token("made-up-" + i, issuer, "omnisql", jwt -> { });
            assertThatThrownBy(() -> authenticator.authenticate("Bearer " + forged))
                    .hasMessageStartingWith("token is signed with an unknown key");
        }
        assertThat(jwksRequests.get()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(11));
        String forged = forger.token("made-up-again", issuer, "omnisql", jwt -> { });
        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + forged)).isInstanceOf(QueryException.class);
        assertThat(jwksRequests.get()).isEqualTo(2);
    }

    @Test
    void repeatedTokenIsServedFromCacheWithoutRevalidating() {
        String token = token("alice");
        authenticator.authenticate("Bearer " + token);
        // A full validation now would refresh the aged key set; a cache hit does not touch it.
        clock.advance(SigningKeys.MAX_AGE.plusMinutes(1));
        for (int i = 0; i < 20; i++) {
            assertThat(authenticator.authenticate("Bearer " + token).subject()).isEqualTo("alice");
        }
        assertThat(jwksRequests.get()).isEqualTo(1);
    }

    @Test
    void tokenOfDemoIssuerIsRejectedWhenAnExternalIssuerIsConfigured() {
        String token = token("alice");
        authenticator.update(IdentitySettings.fromMap(Map.of("issuer", "https://login.example.com/realms/acme",
                "discovery", false, "jwks_uri", demo.issuer() + "/jwks")));

        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + token))
                .hasMessageContaining("https://login.example.com/realms/acme");
    }
}
