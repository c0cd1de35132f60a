package io.omnisql.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener's port and key pair from env and catalog.yaml; a setting that cannot be understood is refused. */
class PgListenerSettingsTest {

    @Test
    void portFromEnvOverCatalogOverDefaultAndOffDisables() {
        assertThat(PgListenerSettings.resolve(Map.of(), n -> null, "127.0.0.1").port()).isEqualTo(5433);
        assertThat(PgListenerSettings.resolve(Map.of("port", 6543), n -> null, "127.0.0.1").port()).isEqualTo(6543);
        assertThat(PgListenerSettings.resolve(Map.of("port", 6543), Map.of("PG_PORT", "7000")::get, "h").port()).isEqualTo(7000);
        assertThat(PgListenerSettings.resolve(Map.of(), Map.of("PG_PORT", "off")::get, "h")).isNull();
        assertThat(PgListenerSettings.resolve(Map.of(), n -> null, "h").tls()).isNull();
    }

    @Test
    void badSettingsAreRefusedWithTheirKey() {
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of("prot", 1), n -> null, "h")).hasMessageContaining("pgwire.prot");
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of("port", "x"), n -> null, "h")).hasMessageContaining("pgwire.port");
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of("port", 70_000), n -> null, "h")).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of("tls", Map.of("cert", "c.pem")), n -> null, "h"))
                .hasMessageContaining("cert and key go together");
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of("tls", Map.of("keystore", "/nonexistent.p12")), n -> null, "h"))
                .hasMessageContaining("pgwire.tls.keystore");
    }

    @Test
    void loadsAPkcs12KeystoreAndPemFiles(@TempDir Path dir) throws Exception {
        Path keystore = TlsFiles.pkcs12(dir);
        assertThat(PgListenerSettings.resolve(Map.of("tls", Map.of("keystore", keystore.toString(), "password_env", "KS_PW")),
                Map.of("KS_PW", TlsFiles.PASSWORD)::get, "h").tls()).isNotNull();
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of("tls", Map.of("keystore", keystore.toString())),
                n -> null, "h")).as("wrong password").hasMessageContaining("cannot load");
        Path[] pem = TlsFiles.pem(java.nio.file.Files.createDirectories(dir.resolve("pem")));
        assertThat(PgListenerSettings.resolve(Map.of(), Map.of("PG_TLS_CERT", pem[0].toString(), "PG_TLS_KEY",
                pem[1].toString())::get, "h").tls()).isNotNull();
        assertThatThrownBy(() -> PgListenerSettings.resolve(Map.of(), Map.of("PG_TLS_CERT", pem[0].toString(), "PG_TLS_KEY",
                pem[0].toString())::get, "h")).hasMessageContaining("not an unencrypted PKCS#8 PEM key");
    }
}
