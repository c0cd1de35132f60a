package io.omnisql.connector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands catalog templates that read secrets: {@code ${env:NAME}} from the environment, {@code ${file:/path}}
 * from a file (trailing whitespace dropped: mounted secrets end in a newline). A value is read once and kept
 * until {@link #forget()} -- on a configuration reload and when the upstream answers 401 -- so a rotated file
 * or variable is picked up without a restart. Values never leave this class except into request headers.
 */
final class Secrets {
    private static final Pattern REF = Pattern.compile("\\$\\{(env|file):([^}]+)}");
    private final Function<String, String> env;
    private final Map<String, String> values = new ConcurrentHashMap<>();

    /** A template names a secret that is not there (unset variable, unreadable or empty file). */
    static final class Missing extends RuntimeException {
        Missing(String reference, String why) {
            super("secret ${" + reference + "} " + why);
        }
    }

    Secrets(Function<String, String> env) {
        this.env = env;
    }

    /** The template with every reference replaced by its secret. */
    String expand(String template) {
        if (!template.contains("${")) {
            return template;
        }
        Matcher m = REF.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1) + ":" + m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(values.computeIfAbsent(ref, this::read)));
        }
        m.appendTail(out);
        return out.toString();
    }

    void forget() {
        values.clear();
    }

    /** What is missing among the template's references, each as a sentence naming it (checked at load). */
    List<String> missing(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = REF.matcher(template);
        while (m.find()) {
            try {
                read(m.group(1) + ":" + m.group(2));
            } catch (Missing e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    private String read(String ref) {
        String name = ref.substring(ref.indexOf(':') + 1);
        if (ref.startsWith("env:")) {
            String v = env.apply(name);
            if (v == null || v.isEmpty()) {
                throw new Missing(ref, "is not set (environment variable " + name + ")");
            }
            return v;
        }
        try {
            String v = Files.readString(Path.of(name)).strip();
            if (v.isEmpty()) {
                throw new Missing(ref, "is empty (file " + name + ")");
            }
            return v;
        } catch (IOException | SecurityException e) {
            throw new Missing(ref, "cannot be read (file " + name + ": " + e.getClass().getSimpleName() + ")");
        }
    }
}
