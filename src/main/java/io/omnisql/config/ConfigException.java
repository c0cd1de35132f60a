package io.omnisql.config;

/** A rejected configuration file, located to file and line so the log line points at the edit. */
public final class ConfigException extends Exception {
    private final String file;
    private final int line;
    private final String problem;

    public ConfigException(String file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** The message without file and line: {@code key.path: what is wrong}. */
    public String problem() {
        return problem;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
