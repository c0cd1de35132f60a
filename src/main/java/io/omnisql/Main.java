package io.omnisql;

import io.omnisql.config.ConfigException;
import java.nio.file.Path;

/**
 * {@code java -jar omnisql.jar}: PORT (8080), HOST (127.0.0.1), OMNISQL_CONFIG_DIR (working directory); PG_PORT (5433, or
 * {@code off}) for the Postgres wire protocol listener (docs/postgres.md).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        String dir = System.getenv().getOrDefault("OMNISQL_CONFIG_DIR", ".");
        String host = System.getenv().getOrDefault("HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        try {
            OmniSqlServer server = OmniSqlServer.start(
                    new OmniSqlServer.Options(Path.of(dir), host, port, 1000, System::getenv));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "omnisql-shutdown"));
        } catch (ConfigException e) {
            System.err.println("omnisql: configuration rejected: " + e.getMessage());
            System.exit(2);
        }
    }
}
