package io.omnisql.pgwire;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Where the wire listener runs: {@code PG_PORT} (env) over {@code pgwire.port} (catalog.yaml) over 5433, on the
 * HTTP bind address; {@code off} disables it. TLS is on when a PKCS#12 key pair is configured ({@code
 * PG_TLS_KEYSTORE} / {@code pgwire.tls.keystore}, password from the env variable {@code PG_TLS_KEYSTORE_PASSWORD} or
 * the one {@code pgwire.tls.password_env} names).
 */
public final class PgListenerSettings {
    public static final int DEFAULT_PORT = 5433;

    private PgListenerSettings() {
    }

    /**
     * @return null when the listener is disabled
     * @throws IllegalArgumentException naming the offending key
     */
    @SuppressWarnings("unchecked")
    public static PgServer.Settings resolve(Map<String, Object> section, Function<String, String> env, String host) {
        Map<String, Object> s = section == null ? Map.of() : section;
        allowOnly(s, "pgwire.", List.of("port", "tls"));
        String port = env.apply("PG_PORT");
        if (port == null && s.get("port") != null) {
            port = s.get("port").toString();
        }
        if (port != null && port.strip().equalsIgnoreCase("off")) {
            return null;
        }
        int p;
        try {
            p = port == null ? DEFAULT_PORT : Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pgwire.port: must be a port number or off, not \"" + port + "\"");
        }
        if (p < 0 || p > 65_535) {
            throw new IllegalArgumentException("pgwire.port: must be 0..65535, not " + p);
        }
        Map<String, Object> tls = s.get("tls") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        allowOnly(tls, "pgwire.tls.", List.of("keystore", "password_env"));
        String keystore = env.apply("PG_TLS_KEYSTORE");
        if (keystore == null && tls.get("keystore") != null) {
            keystore = tls.get("keystore").toString();
        }
        String passwordEnv = tls.get("password_env") == null ? "PG_TLS_KEYSTORE_PASSWORD" : tls.get("password_env").toString();
        return new PgServer.Settings(host, p, keystore == null ? null : tls(Path.of(keystore), env.apply(passwordEnv)));
    }

    private static void allowOnly(Map<String, Object> section, String prefix, List<String> keys) {
        for (String key : section.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(prefix + key + ": unknown key (accepted: " + String.join(", ", keys) + ")");
            }
        }
    }

    private static SSLContext tls(Path keystore, String password) {
        char[] pw = password == null ? new char[0] : password.toCharArray();
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, pw);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("pgwire.tls.keystore: cannot load the PKCS#12 key pair " + keystore + ": " + e.getMessage());
        }
    }
}
