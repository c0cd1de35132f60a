package io.omnisql.identity;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Validation of tokens from an external OIDC provider (mock-oauth2-server, a real HTTP IdP). */
class OidcAuthenticatorTest {
    private static final String REALM = "acme";
    private static MockOAuth2Server idp;
    private static String issuer;

    private TestClock clock;
    private OidcAuthenticator authenticator;

    @BeforeAll
    static void startIdp() throws Exception {
        idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        issuer = idp.issuerUrl(REALM).toString();
    }

    @AfterAll
    static void stopIdp() {
        idp.shutdown();
    }

    @BeforeEach
    void newAuthenticator() {
        clock = new TestClock();
        authenticator = new OidcAuthenticator(settings(Map.of()), () -> {
            throw new AssertionError("the demo issuer must not be consulted for an external issuer");
        }, clock);
    }

    private static IdentitySettings settings(Map<String, Object> overrides) {
        Map<String, Object> section = new java.util.HashMap<>(Map.of(
                "issuer", issuer,
                "audience", "omnisql",
                "claims", Map.of("attributes", Map.of("department", "dept"))));
        section.putAll(overrides);
        return IdentitySettings.fromMap(section);
    }

    private static String token(String audience, Map<String, Object> claims, long expirySeconds) {
        return idp.issueToken(REALM, "alice", audience, claims, expirySeconds).serialize();
    }

    private static String token(Map<String, Object> claims) {
        return token("omnisql", claims, 3600);
    }

    private QueryException rejection(String header) {
        QueryException e = catchThrowableOfType(QueryException.class, () -> authenticator.authenticate(header));
        assertThat(e).as("expected a rejection").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        return e;
    }

    @Test
    void validTokenBecomesPrincipalWithTeamRolesScopesAndAttributesFromConfiguredClaims() {
        String token = token(Map.of("team", "eng", "roles", List.of("admin", "analyst"),
                "scope", "query:github query:jira", "dept", "R&D"));

        Principal p = authenticator.authenticate("Bearer " + token);

        assertThat(p.subject()).isEqualTo("alice");
        assertThat(p.team()).isEqualTo("eng");
        assertThat(p.roles()).containsExactlyInAnyOrder("admin", "analyst");
        assertThat(p.scopes()).containsExactlyInAnyOrder("query:github", "query:jira");
        assertThat(p.attribute("department")).contains("R&D");
    }

    @Test
    void scpArrayAndCommaSeparatedRolesAreReadAsSets() {
        String token = token(Map.of("scp", List.of("query:github", "explain"), "roles", "admin, analyst"));

        Principal p = authenticator.authenticate("Bearer " + token);

        assertThat(p.scopes()).containsExactlyInAnyOrder("query:github", "explain");
        assertThat(p.roles()).containsExactlyInAnyOrder("admin", "analyst");
        assertThat(p.team()).isNull();
    }

    @Test
    void claimNamesComeFromSettingsIncludingNestedKeycloakRoles() {
        authenticator.update(settings(Map.of("claims", Map.of("team", "groups", "roles", "realm_access.roles",
                "subject", "preferred_username"))));
        String token = token(Map.of("groups", List.of("platform"), "preferred_username", "alice.smith",
                "realm_access", Map.of("roles", List.of("offline_access", "analyst"))));

        Principal p = authenticator.authenticate("Bearer " + token);

        assertThat(p.subject()).isEqualTo("alice.smith");
        assertThat(p.team()).isEqualTo("platform");
        assertThat(p.roles()).containsExactlyInAnyOrder("offline_access", "analyst");
    }

    @Test
    void missingAuthorizationHeaderIsRejectedWithBareChallenge() {
        QueryException e = rejection(null);

        assertThat(e.getMessage()).contains("missing bearer token");
        assertThat(Authenticator.challenge(e)).isEqualTo("Bearer realm=\"omnisql\"");
    }

    @Test
    void nonBearerSchemeIsRejected() {
        QueryException e = rejection("Basic YWxpY2U6c2VjcmV0");

        assertThat(e.getMessage()).contains("unsupported authorization scheme 'Basic'");
        assertThat(e.getMessage()).doesNotContain("YWxpY2U6c2VjcmV0");
    }

    @Test
    void garbageTokenIsRejectedAsMalformedWithoutEchoingIt() {
        QueryException e = rejection("Bearer not-a-jwt-s3cr3t");

        assertThat(e.getMessage()).startsWith("malformed token").doesNotContain("s3cr3t");
        assertThat(Authenticator.challenge(e)).isEqualTo(
                "Bearer realm=\"omnisql\", error=\"invalid_token\", error_description=\"" + e.getMessage() + "\"");
    }

    @Test
    void tamperedPayloadFailsSignatureCheck() {
        String token = token(Map.of("roles", List.of("analyst")));
        String forged = TokenForger.withPayload(token,
                TokenForger.payloadOf(token).replace("\"analyst\"", "\"admin\""));

        QueryException e = rejection("Bearer " + forged);

        assertThat(e.getMessage()).isEqualTo("invalid token signature");
    }

    @Test
    void tokenSignedByAnotherKeyUnderTheIssuersKidFailsSignatureCheck() {
        String kid = TokenForger.kidOf(token(Map.of()));
        String forged = new TokenForger().token(kid, issuer, "omnisql", jwt -> { });

        QueryException e = rejection("Bearer " + forged);

        assertThat(e.getMessage()).isEqualTo("invalid token signature");
        assertThat(e.getMessage()).doesNotContain(forged);
    }

    @Test
    void expiredTokenIsRejectedOnceBeyondClockSkew() {
        String token = token("omnisql", Map.of(), 60);
        clock.advance(Duration.ofSeconds(60 + 31));

        QueryException e = rejection("Bearer " + token);

        assertThat(e.getMessage()).contains("Token no longer valid");
        assertThat(Authenticator.challenge(e)).contains("error=\"invalid_token\"");
    }

    @Test
    void expiredTokenWithinClockSkewIsAccepted() {
        String token = token("omnisql", Map.of(), 60);
        clock.advance(Duration.ofSeconds(60 + 25));

        assertThat(authenticator.authenticate("Bearer " + token).subject()).isEqualTo("alice");
    }

    @Test
    void cachedTokenStopsWorkingWhenItExpires() {
        String token = token("omnisql", Map.of(), 60);
        assertThat(authenticator.authenticate("Bearer " + token).subject()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(60 + 31));

        assertThat(rejection("Bearer " + token).getMessage()).contains("Token no longer valid");
    }

    @Test
    void tokenWhoseNotBeforeIsAheadOfTheClockIsRejected() {
        String token = token(Map.of());
        clock.advance(Duration.ofSeconds(-120));

        assertThat(rejection("Bearer " + token).getMessage()).contains("Token not yet valid");
    }

    @Test
    void tokenFromAnotherIssuerIsRejected() {
        String token = idp.issueToken("other-realm", "alice", "omnisql", Map.of(), 3600).serialize();

        assertThat(rejection("Bearer " + token).getMessage()).contains("Issuer").contains("other-realm");
    }

    @Test
    void tokenForAnotherAudienceIsRejected() {
        String token = token("another-api", Map.of(), 3600);

        assertThat(rejection("Bearer " + token).getMessage()).contains("Audience must contain [omnisql]");
    }

    @Test
    void settingsChangeDropsCachedAcceptances() {
        String token = token(Map.of());
        authenticator.authenticate("Bearer " + token);

        authenticator.update(settings(Map.of("audience", "omnisql-v2")));

        assertThat(rejection("Bearer " + token).getMessage()).contains("Audience must contain [omnisql-v2]");
    }

    @Test
    void unreachableIdentityProviderIsReportedAsUnavailableKeys() {
        authenticator.update(settings(Map.of("jwks_uri", "http://127.0.0.1:1/jwks")));

        assertThat(rejection("Bearer " + token(Map.of())).getMessage())
                .startsWith("cannot verify token: signing keys of the issuer are unavailable");
    }

    @Test
    void explicitJwksUriWorksWithoutDiscovery() {
        authenticator.update(settings(Map.of("discovery", false, "jwks_uri", idp.jwksUrl(REALM).toString())));

        assertThat(authenticator.authenticate("Bearer " + token(Map.of())).subject()).isEqualTo("alice");
        assertThat(URI.create(issuer).getPath()).isEqualTo("/" + REALM);
    }
}
