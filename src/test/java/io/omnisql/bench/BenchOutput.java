package io.omnisql.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a benchmark's figures with the machine they were measured on to target/bench/NAME.json. */
final class BenchOutput {
    private BenchOutput() {
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    static void write(String name, Map<String, Object> figures) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", name);
        out.put("machine", machine());
        out.put("figures", figures);
        Path file = Path.of("target", "bench", name + ".json");
        Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), out);
        System.out.println("figures written to " + file);
    }
}
