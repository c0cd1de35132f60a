package io.omnisql.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What {@code /health/ready} asks before the gateway takes traffic: named checks registered by the components
 * that must work (the configuration, the engine) and by those the gateway can serve without, in a degraded mode
 * (Redis when configured). A check that throws counts as failing.
 */
public final class Readiness {
    private static final Logger LOG = Logger.getLogger("omnisql.observe");
    private final Map<String, Check> checks = new ConcurrentHashMap<>();

    /** A check's outcome: UP, or failing -- DOWN for a required check, DEGRADED for one the gateway serves without. */
    public enum State { UP, DEGRADED, DOWN }

    private record Check(BooleanSupplier passes, boolean required) {
    }

    /** Adds or replaces the required check called {@code name}: while it fails the gateway is not ready. */
    public void register(String name, BooleanSupplier check) {
        checks.put(name, new Check(check, true));
    }

    /**
     * Adds or replaces the check called {@code name} of something the gateway keeps serving without (reported as
     * DEGRADED while it fails; the gateway stays ready): taking every replica out of a load balancer because a
     * dependency they all share is down would turn a degraded service into an outage.
     */
    public void registerDegradable(String name, BooleanSupplier check) {
        checks.put(name, new Check(check, false));
    }

    /** Runs every check now; the map is in name order. */
    public Map<String, State> check() {
        Map<String, State> out = new LinkedHashMap<>();
        checks.keySet().stream().sorted().forEach(name -> {
            Check c = checks.get(name);
            out.put(name, passes(name, c.passes()) ? State.UP : c.required() ? State.DOWN : State.DEGRADED);
        });
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
