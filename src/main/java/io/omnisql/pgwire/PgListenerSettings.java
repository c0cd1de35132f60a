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
 * HTTP bind address; {@code off} disables it. TLS is on when a key pair is configured: a PKCS#12 keystore ({@code
 * PG_TLS_KEYSTORE} / {@code pgwire.tls.keystore}, password from the env variable {@code PG_TLS_KEYSTORE_PASSWORD} or
 * the one {@code pgwire.tls.password_env} names), or PEM files ({@code PG_TLS_CERT} and {@code PG_TLS_KEY} /
 * {@code pgwire.tls.cert} and {@code pgwire.tls.key}).
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
        allowOnly(tls, "pgwire.tls.", List.of("keystore", "password_env", "cert", "key"));
        String keystore = setting(env, "PG_TLS_KEYSTORE", tls, "keystore");
        String cert = setting(env, "PG_TLS_CERT", tls, "cert");
        String key = setting(env, "PG_TLS_KEY", tls, "key");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("pgwire.tls: cert and key go together (PEM certificate chain and PKCS#8 key)");
        }
        if (keystore != null && cert != null) {
            throw new IllegalArgumentException("pgwire.tls: either a keystore or a cert and key, not both");
        }
        String passwordEnv = tls.get("password_env") == null ? "PG_TLS_KEYSTORE_PASSWORD" : tls.get("password_env").toString();
        SSLContext context = keystore != null ? tls(Path.of(keystore), env.apply(passwordEnv))
                : cert != null ? pem(Path.of(cert), Path.of(key)) : null;
        return new PgServer.Settings(host, p, context);
    }

    /** The env variable's value, else the section's key, else null. */
    private static String setting(Function<String, String> env, String variable, Map<String, Object> section, String key) {
        String v = env.apply(variable);
        return v != null ? v : section.get(key) == null ? null : section.get(key).toString();
    }

    /** A key pair in PEM: the certificate chain (leaf first) and an unencrypted PKCS#8 private key (RSA or EC). */
    private static SSLContext pem(Path certFile, Path keyFile) {
        try {
            List<java.security.cert.Certificate> chain = new java.util.ArrayList<>();
            try (InputStream in = Files.newInputStream(certFile)) {
                chain.addAll(java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in));
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("pgwire.tls.cert: no certificate in " + certFile);
            }
            String pem = Files.readString(keyFile);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new IllegalArgumentException("pgwire.tls.key: " + keyFile + " is not an unencrypted PKCS#8 PEM key "
                        + "(BEGIN PRIVATE KEY); convert with: openssl pkcs8 -topk8 -nocrypt");
            }
            byte[] der = java.util.Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            java.security.PrivateKey privateKey = null;
            for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
                try {
                    privateKey = java.security.KeyFactory.getInstance(algorithm)
                            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
                    break;
                } catch (java.security.spec.InvalidKeySpecException e) {
                    // try the next algorithm
                }
            }
            if (privateKey == null) {
                throw new IllegalArgumentException("pgwire.tls.key: " + keyFile + " is no RSA, EC or Ed25519 key");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("pgwire", privateKey, none, chain.toArray(java.security.cert.Certificate[]::new));
            return context(ks, none);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("pgwire.tls: cannot load the PEM key pair " + certFile + ", " + keyFile + ": "
                    + e.getMessage());
        }
    }

    private static SSLContext context(KeyStore ks, char[] password) throws java.security.GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
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
            return context(ks, pw);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("pgwire.tls.keystore: cannot load the PKCS#12 key pair " + keystore + ": " + e.getMessage());
        }
    }
}
