package io.omnisql.identity;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentitySettingsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Yaml().<Map<String, Object>>load(text).get("identity");
    }

    @Test
    void absentSectionIsRefusedBecauseTheDemoIssuerIsNeverOnByDefault() {
        assertThatThrownBy(() -> IdentitySettings.fromMap(null))
                .hasMessage("identity.issuer: required when identity.demo_issuer.enabled is false");
    }

    @Test
    void explicitlyEnabledDemoIssuerGetsStandardClaims() {
        IdentitySettings s = IdentitySettings.fromMap(Map.of("demo_issuer", Map.of("enabled", true)));

        assertThat(s.usesDemoIssuer()).isTrue();
        assertThat(s.demoIssuer().enabled()).isTrue();
        assertThat(s.demoIssuer().tokenTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(s.audience()).isEqualTo("omnisql");
        assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.claims().subject()).containsExactly("sub");
        assertThat(s.claims().scopes()).containsExactly("scope", "scp");
    }

    @Test
    void documentedSectionParses() {
        IdentitySettings s = IdentitySettings.fromMap(yaml("""
                identity:
                  audience: omnisql
                  issuer: https://login.example.com/realms/acme
                  discovery: true
                  jwks_uri: ""
                  clock_skew_s: 10
                  claims: {subject: preferred_username, team: team, roles: [realm_access.roles, roles], scopes: scp,
                           attributes: {department: dept}}
                  demo_issuer: {enabled: false, token_ttl_s: 600}
                """));

        assertThat(s.usesDemoIssuer()).isFalse();
        assertThat(s.issuer()).isEqualTo("https://login.example.com/realms/acme");
        assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.claims().roles()).containsExactly("realm_access.roles", "roles");
        assertThat(s.claims().scopes()).containsExactly("scp");
        assertThat(s.claims().attributes()).containsEntry("department", List.of("dept"));
        assertThat(s.demoIssuer().tokenTtl()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void errorsNameTheKeyPath() {
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("clock_skew_s", -1)))
                .hasMessageStartingWith("identity.clock_skew_s:");
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("clock_skew_s", 3600)))
                .hasMessageStartingWith("identity.clock_skew_s:");
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("audiance", "x")))
                .hasMessageStartingWith("identity.audiance: unknown key");
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("claims", Map.of("roles", List.of(1)))))
                .hasMessageStartingWith("identity.claims.roles:");
        assertThatThrownBy(() -> IdentitySettings.fromMap(yaml("identity: {claims: {attributes: {department: }}}")))
                .hasMessageStartingWith("identity.claims.attributes.department:");
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("issuer", "login.example.com")))
                .hasMessageStartingWith("identity.issuer: must be an absolute http(s) URL");
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("demo_issuer", Map.of("enabled", "no"))))
                .hasMessageStartingWith("identity.demo_issuer.enabled:");
    }

    @Test
    void disablingTheDemoIssuerRequiresAnIssuer() {
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("demo_issuer", Map.of("enabled", false))))
                .hasMessage("identity.issuer: required when identity.demo_issuer.enabled is false");
    }

    @Test
    void turningDiscoveryOffRequiresJwksUri() {
        assertThatThrownBy(() -> IdentitySettings.fromMap(Map.of("issuer", "https://idp.example.com",
                "discovery", false)))
                .hasMessage("identity.jwks_uri: required when identity.discovery is false");
    }

    @Test
    void consoleClientIdDefaultsToNone() {
        assertThat(IdentitySettings.fromMap(Map.of("issuer", "https://idp.example.com")).consoleClientId()).isEmpty();
        assertThat(IdentitySettings.fromMap(Map.of("issuer", "https://idp.example.com", "console_client_id", "omnisql-console"))
                .consoleClientId()).isEqualTo("omnisql-console");
    }
}
