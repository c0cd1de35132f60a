package io.omnisql.console;

/**
 * What the console needs to know of the configuration, re-read on every request so reloads apply.
 *
 * @param demoIssuer  whether the built-in demo issuer serves {@code /dev/token}
 * @param issuer      the configured OIDC issuer ("" when the demo issuer is the only one)
 * @param clientId    the OAuth client id the console signs in with at {@code issuer} ("" = no OIDC sign-in)
 * @param traceUiUrl  a tracing UI address with {@code {trace_id}} in it ("" = trace ids are not linked)
 */
public record ConsoleSettings(boolean demoIssuer, String issuer, String clientId, String traceUiUrl) {
}
