package dev.kafkadedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.process.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** README's first command: {@code java -jar target/kafka-dedup.jar demo} on a fresh machine. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoIT {
  private static final Path JAR = ServiceProcess.packagedJar();

  @TempDir Path dir;

  @Test
  void shouldVerifyTheOutputAndKeepTheLogsOffTheTerminal() throws Exception {
    Path stdout = dir.resolve("stdout.txt");
    Process demo =
        new ProcessBuilder("java", "-Xmx512m", "-jar", JAR.toString(), "demo", "--records", "20000")
            .redirectOutput(stdout.toFile())
            .redirectErrorStream(true)
            .start();

    assertThat(demo.waitFor(3, TimeUnit.MINUTES)).as("demo finished").isTrue();
    List<String> lines = Files.readAllLines(stdout);
    assertThat(demo.exitValue()).as(String.join("\n", lines)).isZero();
    assertThat(lines).contains("verified: output == unique input");
    // the broker's and the service's log lines went to the file named last, not to the terminal
    assertThat(lines).noneMatch(line -> line.contains(" WARN ") || line.contains(" INFO "));
    String last = lines.get(lines.size() - 1);
    assertThat(last).startsWith("logs     : ");
    Path log = Path.of(last.substring("logs     : ".length()).trim());
    try {
      assertThat(Files.readString(log)).contains("RUNNING");
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
