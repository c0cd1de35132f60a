package io.omnisql.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files, headers and sign-in configuration over HTTP, and the /v1/catalog fields its policies view reads. */
class ConsoleRoutesTest {
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void theConsoleIsServedAtTheRootWithAStrictContentSecurityPolicy() {
        GatewayHarness.Response r = gw.get("/", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.text()).contains("<script type=\"module\" src=\"/console/app.js\"></script>");
        assertHardened(r);
        String csp = r.header("Content-Security-Policy");
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self';",
                "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'").doesNotContain("unsafe", "*");
    }

    @Test
    void scriptsAreServedAsJavascriptAndRevalidatedByEtag() throws Exception {
        GatewayHarness.Response r = gw.get("/console/app.js", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/javascript");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        assertHardened(r);
        String etag = r.header("ETag");
        assertThat(etag).matches("\"[0-9a-f]{16}\"");
        HttpResponse<String> again = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gw.uri("/console/app.js"))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void anUnknownConsoleFileIsAJson404() {
        GatewayHarness.Response r = gw.get("/console/../policies.yaml", null);
        assertThat(r.status()).isEqualTo(404);
        GatewayHarness.Response missing = gw.get("/console/evil.js", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("NOT_FOUND");
        assertHardened(missing);
    }

    @Test
    void configSaysTheDemoIssuerIsOnAndNoOidcOrTracingUiIsConfigured() {
        GatewayHarness.Response r = gw.get("/console/config.json", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.body().path("demo_issuer").asBoolean()).isTrue();
        assertThat(r.body().path("oidc").path("enabled").asBoolean()).isFalse();
        assertThat(r.body().path("trace_ui_url").isNull()).isTrue();
    }

    /** The console's own files: no markup sinks, no inline handlers or styles, nothing from another origin. */
    @Test
    void theConsoleSourcesUseNoMarkupSinksInlineCodeOrForeignOrigins() throws IOException {
        List<String> problems = new ArrayList<>();
        Pattern sinks = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|eval\\(|new Function|localStorage\\.setItem\\([^H]");
        Pattern inline = Pattern.compile("\\son[a-z]+=|\\sstyle=|<script>|javascript:", Pattern.CASE_INSENSITIVE);
        Pattern foreign = Pattern.compile("(src|href)=\"(https?:)?//");
        for (String f : new String[] {"index.html", "app.js", "api.js", "auth.js", "editor.js", "grid.js", "chart.js", "dom.js", "console.css"}) {
            String text;
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("console/" + f)) {
                assertThat(in).as(f).isNotNull();
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (Pattern p : List.of(sinks, inline, foreign)) {
                if (p.matcher(text).find()) {
                    problems.add(f + ": " + p.pattern());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void catalogNamesDeniedColumnsRulesAndDeniedTables() {
        JsonNode qa = gw.get("/v1/catalog", gw.token("quinn", "mobile", "qa", "")).body();
        JsonNode prs = table(qa, "github.pull_requests");
        assertThat(prs.path("denied_columns").toString()).isEqualTo("[\"diff_link\"]");
        assertThat(prs.path("policies").toString()).contains("row filter own_team", "rule pii_email", "rule qa_no_diff");
        assertThat(qa.path("denied_tables").size()).isZero();

        JsonNode contractor = gw.get("/v1/catalog", gw.token("carl", "web", "contractor", "")).body();
        JsonNode denied = contractor.path("denied_tables").get(0);
        assertThat(denied.path("name").asText()).isEqualTo("jira.issues");
        assertThat(denied.path("rule").asText()).isEqualTo("contractors_no_jira");
        assertThat(denied.path("message").asText()).contains("contractors have no access to Jira data");
        assertThat(table(contractor, "jira.issues")).isNull();
    }

    @Test
    void withAnOidcProviderConfiguredTheConsoleGetsItsEndpointsAndMayCallItsTokenEndpoint() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        String issuer = idp.issuerUrl("acme").toString();
        try (GatewayHarness oidc = GatewayHarness.start((file, text) -> file.equals("policies.yaml")
                ? text.replace("  demo_issuer: {enabled: true, token_ttl_s: 3600}",
                "  issuer: " + issuer + "\n  console_client_id: omnisql-console\n  demo_issuer: {enabled: false}")
                : file.equals("catalog.yaml")
                ? text + "\nobservability:\n  trace_ui_url: http://127.0.0.1:16686/trace/{trace_id}\n"
                : text)) {
            // Asked first, before anything discovered the IdP: the page's CSP already lets it reach the token endpoint.
            String origin = "http://" + idp.url("/").host() + ":" + idp.url("/").port();
            assertThat(oidc.get("/", null).header("Content-Security-Policy")).contains("connect-src 'self' " + origin + ";");
            JsonNode c = oidc.get("/console/config.json", null).body();
            assertThat(c.path("demo_issuer").asBoolean()).isFalse();
            assertThat(c.path("oidc").path("client_id").asText()).isEqualTo("omnisql-console");
            assertThat(c.path("oidc").path("authorization_endpoint").asText()).isEqualTo(issuer + "/authorize");
            assertThat(c.path("oidc").path("token_endpoint").asText()).isEqualTo(issuer + "/token");
            assertThat(c.path("trace_ui_url").asText()).isEqualTo("http://127.0.0.1:16686/trace/{trace_id}");
        } finally {
            idp.shutdown();
        }
    }

    private static JsonNode table(JsonNode catalog, String name) {
        for (JsonNode t : catalog.path("tables")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static void assertHardened(GatewayHarness.Response r) {
        assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    }
}
