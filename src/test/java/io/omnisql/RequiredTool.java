package io.omnisql;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test runs (Prometheus, psql, redis-server, haproxy, Chromium, k6). A missing one is never a silent
 * skip: a banner goes to the build's console. A tool the project's own scripts install from Debian's packages
 * (bin/test does when it runs as root or with {@code CI=true}) fails the test under {@code CI=true}, since its
 * absence there means the install step broke; elsewhere it is skipped with that reason. A tool only the user can
 * install ({@link #userInstalled}: k6, which no registry reachable here serves) is skipped with the banner even in
 * CI, so a fresh clone with nothing beside it still passes.
 *
 * @param projectInstalls whether bin/test installs it when it may
 */
public record RequiredTool(String name, String install, boolean projectInstalls) {

    public RequiredTool(String name, String install) {
        this(name, install, true);
    }

    /** A tool the user installs themselves: reported loudly when missing, never a failure. */
    public static RequiredTool userInstalled(String name, String install) {
        return new RequiredTool(name, install, false);
    }

    /** The first executable of {@code candidates}, else the consequences described above. */
    public Path find(List<Path> candidates) {
        Optional<Path> found = candidates.stream().filter(Files::isExecutable).findFirst();
        if (found.isPresent()) {
            return found.get();
        }
        String missing = name + " not found (looked at " + candidates + "); " + install;
        boolean fail = projectInstalls && "true".equalsIgnoreCase(System.getenv("CI"));
        banner(missing, fail, projectInstalls);
        if (fail) {
            throw new AssertionError("CI=true and " + missing);
        }
        return Assumptions.abort("SKIPPED, NOT PASSED: " + missing
                + (projectInstalls ? " (with CI=true this fails)" : " (install it to run these tests)"));
    }

    /** {@code $ENV_VAR} if set, then {@code name} in every PATH directory, then the given fallbacks. */
    public static List<Path> candidates(String envVar, String name, Path... fallbacks) {
        Stream<Path> env = Optional.ofNullable(System.getenv(envVar)).filter(v -> !v.isBlank()).map(Path::of).stream();
        Stream<Path> path = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, name));
        return Stream.of(env, path, Stream.of(fallbacks)).flatMap(s -> s)
                .map(p -> p.toAbsolutePath().normalize()).distinct().toList();
    }

    /**
     * Surefire sends a test's System.err to a report file (redirectTestOutputToFile); the process's own stderr
     * reaches the console, where the person running the build sees it.
     */
    private static void banner(String missing, boolean fail, boolean projectInstalls) {
        String line = "#".repeat(100);
        String text = String.join(System.lineSeparator(), line,
                "### MISSING TOOL: " + missing,
                "### " + (fail ? "CI=true: the test FAILS." : "The test is SKIPPED; it has NOT passed."
                        + (projectInstalls ? " With CI=true it fails." : " Install it to run it.")),
                line);
        @SuppressWarnings("resource") // the process's stderr stays open
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        console.println(text);
        System.err.println(text);
    }
}
