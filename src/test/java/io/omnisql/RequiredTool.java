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
 * A program a test runs that the user installs (k6, Prometheus). A missing one is never a silent skip: a banner
 * goes to the build's console, and with {@code CI=true} the test fails; elsewhere it is skipped with that reason.
 */
public record RequiredTool(String name, String install) {

    /** The first executable of {@code candidates}, else the consequences described above. */
    public Path find(List<Path> candidates) {
        Optional<Path> found = candidates.stream().filter(Files::isExecutable).findFirst();
        if (found.isPresent()) {
            return found.get();
        }
        String missing = name + " not found (looked at " + candidates + "); " + install;
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        banner(missing, ci);
        if (ci) {
            throw new AssertionError("CI=true and " + missing);
        }
        return Assumptions.abort("SKIPPED, NOT PASSED: " + missing + " (with CI=true this fails)");
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
    private static void banner(String missing, boolean ci) {
        String line = "#".repeat(100);
        String text = String.join(System.lineSeparator(), line,
                "### MISSING TOOL: " + missing,
                "### " + (ci ? "CI=true: the test FAILS." : "The test is SKIPPED; it has NOT passed. With CI=true it fails."),
                line);
        @SuppressWarnings("resource") // the process's stderr stays open
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        console.println(text);
        System.err.println(text);
    }
}
