package io.omnisql.observe;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Puts the configured line format on the process's root log handlers (the console). Logging is process-wide by
 * nature: the last applied format wins.
 */
final class LogOutput {
    private ObservabilitySettings.LogFormat applied;

    synchronized void apply(ObservabilitySettings.LogFormat format) {
        if (format == applied) {
            return;
        }
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            Formatter current = handler.getFormatter();
            if (format == ObservabilitySettings.LogFormat.JSON && !(current instanceof JsonLogFormatter)) {
                handler.setFormatter(new JsonLogFormatter());
            } else if (format == ObservabilitySettings.LogFormat.TEXT && current instanceof JsonLogFormatter) {
                handler.setFormatter(new SimpleFormatter());
            }
        }
        applied = format;
    }
}
