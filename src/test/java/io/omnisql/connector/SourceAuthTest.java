package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.SimTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAuth2 client credentials and GitHub App installation tokens against the simulators' token endpoints, secrets
 * from files and the environment, rotation without restart, and a missing secret refused at load by name.
 */
class SourceAuthTest {
    private static final String JIRA_AUTH = "auth: {type: basic, user_env: JIRA_EMAIL, token_env: JIRA_API_TOKEN}";
    private static final String GITHUB_AUTH = "auth: {type: bearer, token_env: GITHUB_TOKEN}";

    @TempDir
    Path dir;

    private static String small(String text) {
        return text.replace("pull_requests: 5000", "pull_requests: 200").replace("issues: 10000", "issues: 200");
    }

    @Test
    void oauthClientCredentialsTokenIsCachedAndRecoveredAfterRevocationAndSecretRotation() throws Exception {
        Path secret = dir.resolve("jira-client-secret");
        Files.writeString(secret, "first-secret\n");
        String oauth = "auth: {type: oauth2_client_credentials, token_url: /oauth/token, client_id: \"${env:JIRA_CLIENT_ID}\","
                + " client_secret: \"${file:" + secret + "}\", scope: read:jira-work}";
        try (GatewayHarness gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml")
                ? small(t).replace(JIRA_AUTH, oauth) : t, Map.of("JIRA_CLIENT_ID", "omnisql-svc"))) {
            SimTokens tokens = gw.gateway().simulators().tokens();
            tokens.oauthClient("omnisql-svc", "first-secret", 3600);
            String user = gw.token("ops", "platform", "admin", "");
            String sql = "SELECT count(*) FROM jira.issues WHERE project = 'MOB'";
            assertThat(gw.query(user, sql, 0).status()).isEqualTo(200);
            assertThat(gw.query(user, sql, 0).status()).isEqualTo(200);
            assertThat(tokens.issuedCount()).as("one token for all requests while it is valid").isEqualTo(1);

            tokens.revokeAll(); // upstream 401 -> new token, same query succeeds
            assertThat(gw.query(user, sql, 0).status()).isEqualTo(200);
            assertThat(tokens.issuedCount()).isEqualTo(2);

            // Rotation: the client secret changes upstream and in the mounted file; no restart.
            tokens.oauthClient("omnisql-svc", "second-secret", 3600);
            Files.writeString(secret, "second-secret\n");
            tokens.revokeAll();
            Response r = gw.query(user, sql, 0);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(tokens.issuedCount()).isEqualTo(3);

            // A client the token endpoint refuses: a clear SOURCE_ERROR, with the endpoint's reason.
            tokens.oauthClient("omnisql-svc", "third-secret", 3600);
            tokens.revokeAll();
            Response refused = gw.query(user, sql.replace("MOB", "PLAT"), 0);
            assertThat(refused.errorCode()).as(refused.text()).isEqualTo("SOURCE_ERROR");
            assertThat(refused.body().at("/error/message").asText()).contains("/oauth/token").contains("401")
                    .doesNotContain("second-secret");
        }
    }

    @Test
    void oauthTokensAreRefreshedBeforeTheyExpire() throws Exception {
        String oauth = "auth: {type: oauth2_client_credentials, token_url: /oauth/token, client_id: svc, client_secret: \"${env:CS}\"}";
        try (GatewayHarness gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml")
                ? small(t).replace(JIRA_AUTH, oauth) : t, Map.of("CS", "s"))) {
            SimTokens tokens = gw.gateway().simulators().tokens();
            tokens.oauthClient("svc", "s", 2); // refreshed at 1.5 s, a quarter of its life before expiry
            String user = gw.token("ops", "platform", "admin", "");
            String sql = "SELECT count(*) FROM jira.issues WHERE project = 'WEB'";
            assertThat(gw.query(user, sql, 0).status()).isEqualTo(200);
            // At 1.6 s the first token is still valid upstream (2 s): only refreshing ahead fetches a second one.
            Thread.sleep(1_600);
            assertThat(gw.query(user, sql, 0).status()).isEqualTo(200);
            assertThat(tokens.issuedCount()).isEqualTo(2);
        }
    }

    @Test
    void githubAppJwtBuysAnInstallationTokenThatIsReused() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair app = gen.generateKeyPair();
        // GitHub hands out PKCS#1 ("BEGIN RSA PRIVATE KEY"): the RSAPrivateKey inside Java's PKCS#8 encoding.
        byte[] pkcs8 = app.getPrivate().getEncoded();
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        Path pem = dir.resolve("app.pem");
        Files.writeString(pem, "-----BEGIN RSA PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs1) + "\n-----END RSA PRIVATE KEY-----\n");
        String appAuth = "auth: {type: github_app, app_id: \"4242\", installation_id: \"${env:GH_INSTALLATION}\","
                + " private_key: \"${file:" + pem + "}\"}";
        try (GatewayHarness gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml")
                ? small(t).replace(GITHUB_AUTH, appAuth) : t, Map.of("GH_INSTALLATION", "77"))) {
            SimTokens tokens = gw.gateway().simulators().tokens();
            tokens.githubApp("4242", app.getPublic(), "77", 3600);
            String user = gw.token("ops", "platform", "admin", "");
            String sql = "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'";
            Response r = gw.query(user, sql, 0);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(gw.query(user, sql, 0).status()).isEqualTo(200);
            assertThat(tokens.issuedCount()).isEqualTo(1);

            // Another app's key: the JWT does not verify, the token endpoint's 401 is the error.
            tokens.githubApp("4242", gen.generateKeyPair().getPublic(), "77", 3600);
            tokens.revokeAll();
            Response refused = gw.query(user, sql.replace("acme/infra", "acme/web-app"), 0);
            assertThat(refused.errorCode()).as(refused.text()).isEqualTo("SOURCE_ERROR");
            assertThat(refused.body().at("/error/message").asText()).contains("/app/installations/77/access_tokens")
                    .contains("JSON web token");
        }
    }

    @Test
    void aMissingSecretIsRefusedAtLoadAndOnReloadNamingIt() throws Exception {
        String header = "      X-GitHub-Api-Version: \"2022-11-28\"\n";
        assertThatThrownBy(() -> GatewayHarness.start((f, t) -> f.equals("catalog.yaml")
                ? t.replace(header, header + "      X-Api-Key: \"${env:OMNISQL_TEST_UNSET_KEY}\"\n") : t).close())
                .hasMessageContaining("source github").hasMessageContaining("OMNISQL_TEST_UNSET_KEY");
        try (GatewayHarness gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml") ? small(t) : t)) {
            Path absent = dir.resolve("not-there");
            assertThat(gw.edit("catalog.yaml", t -> t.replace(header,
                    header + "      X-Api-Key: \"key=${file:" + absent + "}\"\n"))).isFalse();
            assertThat(gw.edit("catalog.yaml", t -> t.replace(header,
                    header + "      X-Api-Key: \"${vault:x}\"\n"))).isFalse();
            assertThat(gw.query(gw.token("ops", "platform", "admin", ""),
                    "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'", 0).status()).isEqualTo(200);
        }
    }
}
