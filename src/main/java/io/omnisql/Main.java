package io.omnisql;

import io.omnisql.config.ConfigException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar omnisql.jar}: PORT (8080), HOST (127.0.0.1), OMNISQL_CONFIG_DIR (working directory); PG_PORT (5433, or
 * {@code off}) for the Postgres wire protocol listener (docs/postgres.md).
 * {@code java -jar omnisql.jar policy-test [FILE]} runs the policy tests (default OMNISQL_CONFIG_DIR/policies.test.yaml).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // A thread dying of an Error (OutOfMemoryError, StackOverflowError outside a guarded path) leaves state
        // nobody can vouch for: say so once, loudly, and end the process so a supervisor restarts it.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof VirtualMachineError) {
                System.err.println("omnisql: FATAL " + e + " in thread " + thread.getName() + "; exiting");
                Runtime.getRuntime().halt(3);
            }
            System.err.println("omnisql: uncaught exception in thread " + thread.getName());
            e.printStackTrace();
        });
        String dir = System.getenv().getOrDefault("OMNISQL_CONFIG_DIR", ".");
        if (args.length > 0 && args[0].equals("policy-test")) {
            // The report is the output: the gateways started for the cases log only warnings and worse.
            System.setProperty("java.util.logging.config.class", QuietLogging.class.getName());
            QuietLogging.apply();
            System.exit(PolicyTestRunner.main(Path.of(dir), List.of(args).subList(1, args.length), System.out, System::getenv));
        }
        if (args.length > 0) {
            System.err.println("omnisql: unknown command '" + args[0] + "' (commands: policy-test; none starts the gateway)");
            System.exit(2);
        }
        String host = System.getenv().getOrDefault("HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        try {
            Gateway gateway = Gateway.start(new Gateway.Options(Path.of(dir), host, port, 1000, System::getenv));
            Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "omnisql-shutdown"));
        } catch (ConfigException e) {
            System.err.println("omnisql: configuration rejected, not starting: " + e.getMessage());
            System.exit(2);
        } catch (Gateway.StartException e) {
            System.err.println("omnisql: cannot start: " + e.getMessage());
            System.exit(1);
        }
    }

    /** JUL configuration of the policy-test command: warnings and worse only (also when Helidon re-reads the configuration). */
    public static final class QuietLogging {
        public QuietLogging() {
            apply();
        }

        static void apply() {
            java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
            root.setLevel(java.util.logging.Level.WARNING);
            for (java.util.logging.Handler h : root.getHandlers()) {
                h.setLevel(java.util.logging.Level.WARNING);
            }
        }
    }
}
