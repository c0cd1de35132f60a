package io.omnisql.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What {@code /health/ready} asks before the gateway takes traffic: named checks registered by the components
 * that must work (the configuration, the engine, Redis when configured). A check that throws counts as down.
 */
public final class Readiness {
    private static final Logger LOG = Logger.getLogger("omnisql.observe");
    private final Map<String, BooleanSupplier> checks = new ConcurrentHashMap<>();

    /** Adds or replaces the check called {@code name} (e.g. {@code "redis"}). */
    public void register(String name, BooleanSupplier check) {
        checks.put(name, check);
    }

    /** Runs every check now; the map is in name order, true where the check passed. */
    public Map<String, Boolean> check() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        checks.keySet().stream().sorted().forEach(name -> out.put(name, passes(name, checks.get(name))));
        return out;
    }

    private static boolean passes(String name, BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "readiness check " + name + " failed", e);
            return false;
        }
    }
}
