package io.omnisql;

import io.omnisql.config.ConfigException;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.QueryResult;
import io.omnisql.gateway.QueryAnswer;
import io.omnisql.gateway.QueryRequest;
import io.omnisql.PolicyTestCase.Expect;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code omnisql policy-test}: evaluates the cases of policies.test.yaml against a real gateway over the
 * configuration directory (its embedded simulators as sources), each statement governed exactly as /v1/query
 * governs it, the principal taken from the case instead of a token. Cases that edit a configuration file run on
 * a private copy of the directory.
 */
public final class PolicyTestRunner {
    public static final String TESTS_FILE = "policies.test.yaml";

    private final Path configDir;
    private final Function<String, String> env;

    public PolicyTestRunner(Path configDir, Function<String, String> env) {
        this.configDir = configDir;
        this.env = env;
    }

    /** One case's verdict: {@code failure} is null when it passed. */
    public record Result(String name, int line, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    /**
     * Runs every case of {@code testsFile}.
     *
     * @throws ConfigException when the test file or the configuration directory itself cannot be read
     */
    public List<Result> run(Path testsFile) throws ConfigException, Gateway.StartException {
        String text;
        try {
            text = Files.readString(testsFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(testsFile.getFileName().toString(), 0, "cannot read: " + e.getMessage());
        }
        List<PolicyTestCase> cases = PolicyTestFile.parse(testsFile.getFileName().toString(), text);
        List<Result> results = new ArrayList<>();
        Gateway shared = null;
        try {
            for (PolicyTestCase c : cases) {
                if (c.editsConfig()) {
                    results.add(runEdited(c));
                    continue;
                }
                if (shared == null) {
                    shared = start(configDir);
                }
                results.add(verdict(c, evaluate(shared, c)));
            }
        } finally {
            if (shared != null) {
                shared.close();
            }
        }
        return results;
    }

    private Gateway start(Path dir) throws ConfigException, Gateway.StartException {
        // Cases are run over HTTP only: no Postgres listener, so a gateway already on 5433 cannot stop the run.
        return Gateway.start(new Gateway.Options(dir, "127.0.0.1", 0, 3_600_000,
                name -> name.equals("PG_PORT") ? "off" : env.apply(name)));
    }

    private Result runEdited(PolicyTestCase c) throws Gateway.StartException {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("omnisql-policy-test");
            for (String f : List.of("catalog.yaml", "policies.yaml", "ratelimits.yaml")) {
                String content = c.replaceFiles().containsKey(f) ? c.replaceFiles().get(f) : Files.readString(configDir.resolve(f));
                Files.writeString(dir.resolve(f), content + c.appendFiles().getOrDefault(f, ""));
            }
            Gateway gateway;
            try {
                gateway = start(dir);
            } catch (ConfigException e) {
                String wanted = c.expect().configRejected();
                if (wanted == null) {
                    return fail(c, "the edited configuration was rejected: " + e.getMessage());
                }
                return e.getMessage().contains(wanted) ? pass(c)
                        : fail(c, "rejected, but the message does not contain '" + wanted + "': " + e.getMessage());
            }
            try (gateway) {
                if (c.expect().configRejected() != null) {
                    return fail(c, "the edited configuration was accepted; expected a rejection containing '"
                            + c.expect().configRejected() + "'");
                }
                return verdict(c, evaluate(gateway, c));
            }
        } catch (IOException e) {
            return fail(c, "cannot prepare the edited configuration: " + e.getMessage());
        } finally {
            deleteQuietly(dir);
        }
    }

    /** The answer or the refusal of one statement. */
    private record Outcome(QueryAnswer answer, QueryException error) {
    }

    private static Outcome evaluate(Gateway gateway, PolicyTestCase c) {
        try {
            return new Outcome(gateway.queryAs(c.principal(), new QueryRequest(c.sql(), 0L, null, false)), null);
        } catch (QueryException e) {
            return new Outcome(null, e);
        }
    }

    private static Result verdict(PolicyTestCase c, Outcome o) {
        Expect x = c.expect();
        if (o.error() != null) {
            QueryException e = o.error();
            if (x.denied() != null) {
                Object rule = e.details().get("rule");
                return e.code() == ErrorCode.ENTITLEMENT_DENIED && x.denied().equals(rule) ? pass(c)
                        : fail(c, "expected ENTITLEMENT_DENIED by rule " + x.denied() + ", got " + e.code()
                                + (rule == null ? "" : " (rule " + rule + ")") + ": " + e.getMessage());
            }
            if (x.error() != null) {
                return e.code().name().equals(x.error()) ? pass(c)
                        : fail(c, "expected " + x.error() + ", got " + e.code() + ": " + e.getMessage());
            }
            return fail(c, "expected an answer, got " + e.code() + ": " + e.getMessage());
        }
        if (!x.expectsAnswer()) {
            return fail(c, "expected " + (x.denied() != null ? "ENTITLEMENT_DENIED by rule " + x.denied() : x.error())
                    + ", got an answer with " + o.answer().result().rows().size() + " rows");
        }
        String problem = checkAnswer(x, o.answer());
        return problem == null ? pass(c) : fail(c, problem);
    }

    private static String checkAnswer(Expect x, QueryAnswer answer) {
        QueryResult result = answer.result();
        List<String> columns = result.columns().stream().map(QueryResult.ResultColumn::name).toList();
        int rows = result.rows().size();
        if (x.minRows() != null && rows < x.minRows()) {
            return "expected at least " + x.minRows() + " rows, got " + rows;
        }
        if (x.maxRows() != null && rows > x.maxRows()) {
            return "expected at most " + x.maxRows() + " rows, got " + rows;
        }
        for (String absent : x.absent()) {
            if (columns.contains(absent)) {
                return "column " + absent + " must not be in the answer (columns: " + columns + ")";
            }
        }
        for (String masked : x.masked()) {
            if (!columns.contains(masked)) {
                return "column " + masked + " is not in the answer (columns: " + columns + ")";
            }
            if (maskNote(answer, masked) == null) {
                return "column " + masked + " is not masked (metadata.policies: " + answer.policies() + ")";
            }
        }
        for (String clear : x.clear()) {
            if (!columns.contains(clear)) {
                return "column " + clear + " is not in the answer (columns: " + columns + ")";
            }
            String note = maskNote(answer, clear);
            if (note != null) {
                return "column " + clear + " is masked: " + note;
            }
        }
        for (Map.Entry<String, java.util.regex.Pattern> v : x.values().entrySet()) {
            int i = columns.indexOf(v.getKey());
            if (i < 0) {
                return "column " + v.getKey() + " is not in the answer (columns: " + columns + ")";
            }
            for (Object[] row : result.rows()) {
                if (row[i] != null && !v.getValue().matcher(String.valueOf(row[i])).matches()) {
                    return "value '" + row[i] + "' of " + v.getKey() + " does not match " + v.getValue().pattern();
                }
            }
        }
        if (x.rows() != null) {
            int i = columns.indexOf(x.rows().column());
            if (i < 0) {
                return "column " + x.rows().column() + " is not in the answer (columns: " + columns + ")";
            }
            java.util.Set<String> seen = new java.util.TreeSet<>();
            for (Object[] row : result.rows()) {
                seen.add(String.valueOf(row[i]));
            }
            if (!x.rows().only().isEmpty() && !x.rows().only().containsAll(seen)) {
                return "rows with " + x.rows().column() + " outside " + x.rows().only() + " are visible: " + seen;
            }
            if (!seen.containsAll(x.rows().includes())) {
                return "expected rows with " + x.rows().column() + " in " + x.rows().includes() + ", saw " + seen;
            }
        }
        return null;
    }

    /** The metadata note of a mask on a result column ({@code mask partial on t.author_email (rule ...)}), or null. */
    private static String maskNote(QueryAnswer answer, String column) {
        return answer.policies().stream().filter(n -> n.startsWith("mask ") && n.contains("." + column + " (")).findFirst()
                .orElse(null);
    }

    private static Result pass(PolicyTestCase c) {
        return new Result(c.name(), c.line(), null);
    }

    private static Result fail(PolicyTestCase c, String why) {
        return new Result(c.name(), c.line(), why);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /**
     * {@code omnisql policy-test [TESTS_FILE]}: prints one line per case (TAP style) and returns the exit code:
     * 0 all passed, 1 a case failed, 2 the tests or the configuration could not be read.
     */
    public static int main(Path configDir, List<String> args, PrintStream out, Function<String, String> env) {
        Path tests = args.isEmpty() ? configDir.resolve(TESTS_FILE) : Path.of(args.get(0));
        List<Result> results;
        try {
            results = new PolicyTestRunner(configDir, env).run(tests);
        } catch (ConfigException e) {
            out.println("omnisql policy-test: " + e.getMessage());
            return 2;
        } catch (Gateway.StartException e) {
            out.println("omnisql policy-test: cannot start: " + e.getMessage());
            return 2;
        }
        int failed = 0;
        out.println("1.." + results.size());
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (r.passed()) {
                out.println("ok " + (i + 1) + " - " + r.name());
            } else {
                failed++;
                out.println("not ok " + (i + 1) + " - " + r.name() + " (" + tests.getFileName() + ":" + r.line() + ")");
                out.println("  # " + r.failure());
            }
        }
        out.println("# " + (results.size() - failed) + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
