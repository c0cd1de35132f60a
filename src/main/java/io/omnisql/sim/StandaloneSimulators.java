package io.omnisql.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code bin/sim}: the GitHub and Jira simulators as their own process, so that a gateway measured against them
 * carries only its own cost. Reads the {@code simulators:} section of a catalog.yaml, optionally overrides the
 * demo sizes, starts both on loopback ports and prints one {@code NAME=URL} line per simulator (then
 * {@code ready}), and serves until the process is stopped, printing a {@code stats ...} line of its upstream call
 * counts whenever they change.
 *
 * <pre>java -cp ... io.omnisql.sim.StandaloneSimulators [catalog.yaml] [--pull-requests N] [--issues N]</pre>
 */
public final class StandaloneSimulators {
    private static final long STATS_EVERY_MS = 250;

    private StandaloneSimulators() {
    }

    public static void main(String[] args) throws Exception {
        Path catalog = Path.of("catalog.yaml");
        Integer pulls = null;
        Integer issues = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pull-requests" -> pulls = count(args, ++i);
                case "--issues" -> issues = count(args, ++i);
                default -> {
                    if (args[i].startsWith("-")) {
                        usage("unknown option " + args[i]);
                    }
                    catalog = Path.of(args[i]);
                }
            }
        }
        SimulatorSettings settings = sized(settings(catalog), pulls, issues);
        Simulators simulators = Simulators.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulators.close();
            stopped.countDown();
        }, "sim-shutdown"));
        System.out.println("github=" + simulators.githubBaseUrl());
        System.out.println("jira=" + simulators.jiraBaseUrl());
        System.out.println("ready pull_requests=" + settings.github().pullRequests() + " issues="
                + settings.jira().issues());
        System.out.flush();
        // Upstream calls as the simulators count them, printed whenever they change, for benchmarks to diff.
        SimulatorStats last = null;
        while (!stopped.await(STATS_EVERY_MS, TimeUnit.MILLISECONDS)) {
            SimulatorStats now = simulators.stats();
            if (!now.equals(last)) {
                System.out.println("stats github_requests=" + now.githubRequests() + " github_not_modified="
                        + now.githubNotModified() + " jira_requests=" + now.jiraRequests());
                System.out.flush();
                last = now;
            }
        }
    }

    /** The catalog's simulators section, validated as the gateway would; absent means the defaults. */
    @SuppressWarnings("unchecked")
    static SimulatorSettings settings(Path catalog) throws IOException {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(catalog));
        Object section = root instanceof Map<?, ?> m ? m.get("simulators") : null;
        if (section == null) {
            return SimulatorSettings.defaults();
        }
        if (!(section instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(catalog + ": simulators must be a mapping");
        }
        return SimulatorSettings.fromMap((Map<String, Object>) section);
    }

    static SimulatorSettings sized(SimulatorSettings s, Integer pulls, Integer issues) {
        var g = s.github();
        var j = s.jira();
        return new SimulatorSettings(
                new SimulatorSettings.GithubSettings(g.latencyMs(), g.seed(), g.org(), g.repos(),
                        pulls == null ? g.pullRequests() : pulls, g.faults()),
                new SimulatorSettings.JiraSettings(j.latencyMs(), j.projects(), issues == null ? j.issues() : issues,
                        j.faults()));
    }

    private static int count(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a number");
        }
        try {
            int n = Integer.parseInt(args[i]);
            if (n < 0) {
                usage(args[i - 1] + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            usage(args[i - 1] + " needs a number, got " + args[i]);
            return 0;
        }
    }

    private static void usage(String problem) {
        System.err.println("sim: " + problem);
        System.err.println("usage: bin/sim [catalog.yaml] [--pull-requests N] [--issues N]");
        System.exit(2);
    }
}
