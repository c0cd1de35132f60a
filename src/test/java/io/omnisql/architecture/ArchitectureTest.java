package io.omnisql.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md ("Packages and the arrows between them"), checked on the compiled main
 * classes: a package may use only packages of lower tiers, so a new arrow pointing up or sideways fails here.
 * Today's arrows that break the rule are listed by class in {@link #KNOWN_EXCEPTIONS}; each must still exist
 * (delete its entry once the code no longer needs it), so the list can only shrink.
 */
class ArchitectureTest {
    private static final String ROOT = "io.omnisql";

    /**
     * Tiers from top (1) to bottom; a package may depend on every package of a higher tier number, never on one of
     * its own tier or a lower number. Keep in step with the table in docs/architecture.md.
     */
    private static final Map<String, Integer> TIERS = tiers(
            "wiring", 1,
            "http", 2, "console", 2, "pgwire", 2,
            "gateway", 3,
            "plan", 4, "policy", 4, "observe", 4, "cluster", 4,
            "connector", 5, "cache", 5,
            "exec", 6, "ratelimit", 6,
            "identity", 7,
            "config", 8,
            "error", 9);

    /**
     * The embedded simulators stand outside the tiers: they use nothing of the gateway but the configuration reader,
     * and only the wiring starts them.
     */
    private static final String SIMULATORS = "sim";

    /** A dependency that breaks the tiers today, named and explained in docs/architecture.md ("Known exceptions"). */
    private record KnownException(String name, String origin, String target) {
    }

    private static final List<KnownException> KNOWN_EXCEPTIONS = List.of(
            // Issue #14 item 3: Op/Predicate and column-op-literal extraction move to one bottom package.
            new KnownException("connector-uses-plan-predicate", "io.omnisql.connector.SourceRequest", "io.omnisql.plan.Predicate"),
            new KnownException("connector-uses-plan-predicate", "io.omnisql.connector.RequestBuilder", "io.omnisql.plan.Predicate"),
            new KnownException("connector-uses-plan-predicate", "io.omnisql.connector.RowFilter", "io.omnisql.plan.Predicate"),
            new KnownException("connector-uses-plan-predicate", "io.omnisql.connector.ExtractionWarnings", "io.omnisql.plan.Predicate"),
            new KnownException("connector-uses-plan-predicate", "io.omnisql.connector.MissingKeys", "io.omnisql.plan.Predicate"),
            // Issue #14 items 3 and 4: the shared vocabulary, and a typed decision rendered inside policy.
            new KnownException("policy-uses-plan", "io.omnisql.policy.Governance", "io.omnisql.plan.Predicate"),
            new KnownException("policy-uses-plan", "io.omnisql.policy.RowFilter", "io.omnisql.plan.Predicate"),
            new KnownException("policy-uses-plan", "io.omnisql.policy.RowFilter", "io.omnisql.plan.Planner"),
            new KnownException("policy-uses-plan", "io.omnisql.policy.YamlPolicyDecider", "io.omnisql.plan.TableRef"),
            new KnownException("policy-uses-plan", "io.omnisql.policy.PolicyDecider", "io.omnisql.plan.TableRef"),
            new KnownException("policy-uses-plan", "io.omnisql.policy.CatalogView", "io.omnisql.plan.TableRef"));

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        // The compiled main classes only: scanning the whole class path for the package would cost seconds.
        main = new ClassFileImporter().importPath(Path.of("target", "classes"));
        assertThat(main.containPackage(ROOT + ".gateway")).as("main classes found in target/classes").isTrue();
    }

    @Test
    void everyPackageUsesOnlyPackagesOfLowerTiers() {
        layering(KNOWN_EXCEPTIONS).check(main);
    }

    @Test
    void everyKnownExceptionIsStillInTheCode() {
        List<String> gone = new ArrayList<>();
        for (KnownException known : KNOWN_EXCEPTIONS) {
            boolean present = main.stream().filter(c -> within(c, known.origin()))
                    .flatMap(c -> c.getDirectDependenciesFromSelf().stream())
                    .map(Dependency::getTargetClass)
                    .anyMatch(t -> within(t, known.target()));
            if (!present) {
                gone.add(known.name() + ": " + known.origin() + " -> " + known.target());
            }
        }
        assertThat(gone).as("exceptions the code no longer needs: delete them from KNOWN_EXCEPTIONS and from "
                + "docs/architecture.md").isEmpty();
    }

    /** Proves the rule bites: without the exceptions, today's code breaks it exactly where they say. */
    @Test
    void withoutItsExceptionsTheRuleReportsTodaysUpwardArrows() {
        String report = layering(List.of()).evaluate(main).getFailureReport().toString();
        for (KnownException known : KNOWN_EXCEPTIONS) {
            assertThat(report).as(known.name()).contains(known.origin()).contains(known.target());
        }
    }

    private static LayeredArchitecture layering(List<KnownException> exceptions) {
        LayeredArchitecture arch = layeredArchitecture()
                .consideringOnlyDependenciesInAnyPackage(ROOT + "..")
                .layer("wiring").definedBy(ROOT)
                .layer(SIMULATORS).definedBy(ROOT + "." + SIMULATORS + "..");
        for (String pkg : TIERS.keySet()) {
            if (!pkg.equals("wiring")) {
                arch = arch.layer(pkg).definedBy(ROOT + "." + pkg + "..");
            }
        }
        arch = arch.ensureAllClassesAreContainedInArchitecture();
        for (Map.Entry<String, Integer> layer : TIERS.entrySet()) {
            String[] lower = TIERS.entrySet().stream().filter(e -> e.getValue() > layer.getValue())
                    .map(Map.Entry::getKey).toArray(String[]::new);
            if (layer.getKey().equals("wiring")) {
                lower = concat(lower, SIMULATORS);
            }
            arch = lower.length == 0 ? arch.whereLayer(layer.getKey()).mayNotAccessAnyLayer()
                    : arch.whereLayer(layer.getKey()).mayOnlyAccessLayers(lower);
        }
        // The simulators read their settings section with config's one section reader, and nothing else.
        arch = arch.whereLayer(SIMULATORS).mayOnlyAccessLayers("config")
                .whereLayer(SIMULATORS).mayOnlyBeAccessedByLayers("wiring");
        for (KnownException known : exceptions) {
            arch = arch.ignoreDependency(named(known.origin()), named(known.target()));
        }
        return arch.as("packages of " + ROOT + " use only packages of lower tiers (docs/architecture.md)");
    }

    /** The class itself or one nested in it (records, lambdas' synthetic classes, anonymous classes). */
    private static boolean within(JavaClass c, String name) {
        return c.getName().equals(name) || c.getName().startsWith(name + "$");
    }

    private static DescribedPredicate<JavaClass> named(String name) {
        return DescribedPredicate.describe(name, c -> within(c, name));
    }

    private static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    private static Map<String, Integer> tiers(Object... pairs) {
        Map<String, Integer> tiers = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            tiers.put((String) pairs[i], (Integer) pairs[i + 1]);
        }
        return tiers;
    }
}
