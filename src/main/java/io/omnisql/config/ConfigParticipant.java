package io.omnisql.config;

/**
 * A component whose settings come from the configuration files. Reload is two-phase so a bad edit in
 * any file changes nothing: every participant first validates and builds its new state without side
 * effects, and only when all succeeded are the returned actions run.
 */
@FunctionalInterface
public interface ConfigParticipant {
    /**
     * @return the action that applies {@code next}; run only if every participant accepted it
     * @throws ConfigException naming file and line when {@code next} is not acceptable
     */
    Runnable prepare(Snapshot next) throws ConfigException;
}
