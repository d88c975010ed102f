package dev.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.config.DedupConfig.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** The service's own logback.xml, switched by {@code log.format}. */
class ConsoleLogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGGER = "dev.kafkadedup.example";

  @Test
  void shouldWriteOneJsonObjectPerLineWithJsonFormat() throws Exception {
    List<String> lines =
        logThroughTheServicesConfig(
            LogFormat.JSON,
            log -> {
              log.warn("State {} -> {}", "RUNNING", "REBALANCING");
              log.error("Stream thread failed", new IllegalStateException("boom"));
            });

    assertThat(lines).hasSize(2);
    for (String line : lines) {
      JsonNode event = JSON.readTree(line);
      assertThat(event.isObject()).as(line).isTrue();
      assertThat(OffsetDateTime.parse(event.path("@timestamp").asText())).isNotNull();
      assertThat(event.path("logger_name").asText()).isEqualTo(LOGGER);
    }
    JsonNode warn = JSON.readTree(lines.get(0));
    assertThat(warn.path("level").asText()).isEqualTo("WARN");
    assertThat(warn.path("message").asText()).isEqualTo("State RUNNING -> REBALANCING");
    assertThat(warn.has("stack_trace")).isFalse();
    JsonNode error = JSON.readTree(lines.get(1));
    assertThat(error.path("level").asText()).isEqualTo("ERROR");
    assertThat(error.path("message").asText()).isEqualTo("Stream thread failed");
    assertThat(error.path("stack_trace").asText())
        .startsWith("java.lang.IllegalStateException: boom")
        .contains("at dev.kafkadedup.cli.ConsoleLogFormatTest");
  }

  @Test
  void shouldWriteTextByDefault() throws Exception {
    DedupConfig config =
        DedupConfig.from(
            Map.of(
                "kafka.bootstrap.servers", "broker:9092",
                "input.topics", "in",
                "output.topic", "out",
                "dead.letter.topic", "dlq"));

    List<String> lines =
        logThroughTheServicesConfig(
            config.logFormat(), log -> log.warn("State {} -> {}", "RUNNING", "REBALANCING"));

    assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(lines)
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .matches(
                        "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[.*\\] dev\\.kafkadedup\\.example"
                            + " - State RUNNING -> REBALANCING"));
  }

  @Test
  void shouldSendTheConsoleLogToAFileInItsPattern(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("demo.log");
    String console =
        consoleOf(
            context -> {
              ConsoleLogFormat.toFile(context, file);
              context.getLogger(LOGGER).warn("UNKNOWN_TOPIC_OR_PARTITION");
            });

    assertThat(console).isEmpty();
    assertThat(Files.readAllLines(file))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .matches(
                        "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[.*\\] dev\\.kafkadedup\\.example"
                            + " - UNKNOWN_TOPIC_OR_PARTITION"));
  }

  /** What the service's console log shows for what {@code write} logs, in {@code format}. */
  private static List<String> logThroughTheServicesConfig(LogFormat format, Consumer<Logger> write)
      throws JoranException {
    return consoleOf(
            context -> {
              ConsoleLogFormat.apply(context, format);
              write.accept(context.getLogger(LOGGER));
            })
        .lines()
        .toList();
  }

  /** The console (stderr) output of the service's logback.xml while {@code use} runs. */
  private static String consoleOf(Consumer<LoggerContext> use) throws JoranException {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's binding sets up for its context
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setErr(capture);
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      // the service's logback.xml, not the tests' logback-test.xml
      configurator.doConfigure(ConsoleLogFormatTest.class.getResource("/logback.xml"));
      use.accept(context);
    } finally {
      System.setErr(stderr);
      context.stop();
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
