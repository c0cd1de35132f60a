package io.omnisql;

import io.omnisql.identity.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One case of policies.test.yaml: who asks, what, on which configuration, and what must come back.
 *
 * @param line         where the case starts in the test file, for the report
 * @param replaceFiles config files whose whole content this case replaces (file name -> text), e.g. an empty policies.yaml
 * @param appendFiles  text appended to config files for this case, e.g. a newly onboarded table at the end of catalog.yaml
 * @param sql          the statement, or null for a case that only checks whether the configuration loads
 */
record PolicyTestCase(String name, int line, Principal principal, String sql, Map<String, String> replaceFiles,
                      Map<String, String> appendFiles, Expect expect) {

    boolean editsConfig() {
        return !replaceFiles.isEmpty() || !appendFiles.isEmpty();
    }

    /**
     * What the answer must show; every given part is checked.
     *
     * @param denied         the rule an ENTITLEMENT_DENIED answer must name
     * @param error          the error code the answer must carry
     * @param configRejected text the start-up rejection of the (edited) configuration must contain
     * @param rows           rows visible by a key: every value of a column within {@code only}, and {@code includes} present
     * @param minRows        at least this many rows; {@code maxRows} at most
     * @param masked         result columns whose values a mask replaced (metadata.policies names the mask)
     * @param clear          result columns no mask touched
     * @param absent         columns the answer must not contain (left out by a deny rule)
     * @param values         result column -> pattern every non-null value must match entirely
     */
    record Expect(String denied, String error, String configRejected, Rows rows, Integer minRows, Integer maxRows,
                  List<String> masked, List<String> clear, List<String> absent, Map<String, Pattern> values) {
        boolean expectsAnswer() {
            return denied == null && error == null && configRejected == null;
        }
    }

    record Rows(String column, Set<String> only, Set<String> includes) {
    }
}
