package io.omnisql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An OutOfMemoryError must end the process, loudly, even where a library catches it (the OOM in the HTTP
 * client's selector thread left a gateway answering 502 forever while /health said UP). The flags come from
 * bin/jvm-flags, which bin/run and bin/bench use; the probe catches the error like that selector thread did.
 */
class OutOfMemoryExitTest {
    /** Allocates until the heap is exhausted in a thread that swallows every Throwable, then claims to live on. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            Thread t = new Thread(() -> {
                List<long[]> hog = new ArrayList<>();
                try {
                    while (true) {
                        hog.add(new long[1 << 20]);
                    }
                } catch (Throwable swallowed) {
                    hog.clear();
                }
            });
            t.start();
            t.join();
            System.out.println("survived");
            Thread.sleep(5_000);
        }
    }

    @Test
    void theShippedJvmFlagsEndTheProcessOnOutOfMemoryEvenWhenCaught() throws Exception {
        Process flags = new ProcessBuilder("bin/jvm-flags").redirectErrorStream(true).start();
        String flagLine = new String(flags.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(flags.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(flagLine).contains("-XX:+ExitOnOutOfMemoryError");

        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx48m"));
        command.addAll(List.of(flagLine.split("\\s+")));
        command.addAll(List.of("-cp", Path.of("target", "test-classes").toString(), Probe.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the process must end").isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isEqualTo(3);
        assertThat(output).contains("Terminating due to java.lang.OutOfMemoryError").doesNotContain("survived");
    }
}
