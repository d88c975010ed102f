package dev.kafkadedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as users start it: {@code java -jar kafka-dedup.jar run --config FILE}. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunCommandIT {
  private static final Path JAR =
      Path.of(System.getProperty("kafkadedup.jar", "target/kafka-dedup.jar"));

  @TempDir Path dir;

  @Test
  void shouldExitWithCode2AndOneLineNamingTheKeyOnBadConfig() throws Exception {
    Path config =
        write(
            "bad.yaml",
            """
            input.topics: in
            output.topic: out
            dead.letter.topic: dlq
            window.size: P7X
            kafka:
              bootstrap.servers: 127.0.0.1:9
            """);

    Process process = start(config);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    List<String> lines = Files.readAllLines(dir.resolve("stderr.log"));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("window.size", "P7X", "ISO-8601");
  }

  @Test
  void shouldCommitAndExitWithCode0OnSigterm() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startInProcess()) {
      broker.createTopics(2, "in", "out", "dlq");
      Path config =
          write(
              "app.properties",
              """
              input.topics=in
              output.topic=out
              dead.letter.topic=dlq
              kafka.bootstrap.servers=%s
              kafka.state.dir=%s
              """
                  .formatted(broker.bootstrapServers(), dir.resolve("state")));
      Process process = start(config);
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> log().contains("-> RUNNING") || !process.isAlive());
      assertThat(process.isAlive()).as("service running; stderr:%n%s", log()).isTrue();

      process.destroy(); // SIGTERM

      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("exit code; stderr:%n%s", log()).isZero();
      assertThat(log()).contains("-> NOT_RUNNING");
    }
  }

  private Process start(Path config) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
            "run",
            "--config",
            config.toString())
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .redirectError(dir.resolve("stderr.log").toFile())
        .start();
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
