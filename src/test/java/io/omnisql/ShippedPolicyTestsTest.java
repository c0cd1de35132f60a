package io.omnisql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped policies.test.yaml passes, and the runner fails when a rule it checks is broken. */
class ShippedPolicyTestsTest {
    @TempDir
    Path dir;

    private static String run(Path configDir, Path tests, int expectedExit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = PolicyTestRunner.main(configDir, List.of(tests.toAbsolutePath().toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.<String, String>of()::get);
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isEqualTo(expectedExit);
        return report;
    }

    @Test
    void everyShippedCaseHoldsOnTheShippedConfiguration() {
        String report = run(Path.of("."), Path.of(PolicyTestRunner.TESTS_FILE), 0);
        assertThat(report).contains("# 23 passed, 0 failed");
    }

    @Test
    void aWeakenedPolicyFailsTheCasesThatGuardIt() throws Exception {
        for (String f : List.of("catalog.yaml", "ratelimits.yaml")) {
            Files.writeString(dir.resolve(f), Files.readString(Path.of(f)));
        }
        // The contractors rule is gone and the e-mail mask no longer applies to analysts.
        Files.writeString(dir.resolve("policies.yaml"), Files.readString(Path.of("policies.yaml"))
                .replace("          when: {roles: contractor}\n", "          when: {roles: nobody}\n")
                .replace("unless: {scopes: PII_ACCESS}", "unless: {roles: analyst}"));
        // Three of the shipped cases, so this stays quick: they must now fail, the unaffected one still pass.
        String shipped = Files.readString(Path.of(PolicyTestRunner.TESTS_FILE));
        StringBuilder subset = new StringBuilder("tests:\n");
        for (String name : List.of("a mobile analyst sees only mobile pull requests", "a contractor may not read jira.issues",
                "a contractor may not read Jira through jira_dc.issues either", "author_email is masked without PII_ACCESS")) {
            int start = shipped.indexOf("  - name: " + name + "\n");
            int end = shipped.indexOf("\n\n", start);
            subset.append(shipped, start, end + 1);
        }
        Path tests = dir.resolve("subset.test.yaml");
        Files.writeString(tests, subset.toString());
        String report = run(dir, tests, 1);
        assertThat(report).contains("not ok 2 - a contractor may not read jira.issues")
                .contains("not ok 3 - a contractor may not read Jira through jira_dc.issues either")
                .contains("not ok 4 - author_email is masked without PII_ACCESS")
                .contains("expected ENTITLEMENT_DENIED by rule contractors_no_jira")
                .contains("ok 1 - a mobile analyst sees only mobile pull requests")
                .contains("# 1 passed, 3 failed");
    }

    @Test
    void anUnreadableTestFileIsReportedWithFileAndLine() throws Exception {
        Path tests = dir.resolve("bad.test.yaml");
        Files.writeString(tests, "tests:\n  - name: x\n    sql: SELECT 1\n    expect: {rows_visible: 3}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = PolicyTestRunner.main(Path.of("."), List.of(tests.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.<String, String>of()::get);
        assertThat(exit).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("bad.test.yaml:4").contains("rows_visible").contains("unknown key");
    }
}
