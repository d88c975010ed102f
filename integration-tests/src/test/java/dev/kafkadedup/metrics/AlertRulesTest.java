package dev.kafkadedup.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alert rules (one file, also embedded by the Helm chart) pass {@code promtool check rules},
 * their unit tests pass {@code promtool test rules}, and every alert has a test in which it fires.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AlertRulesTest {
  private static final Path ALERTS = Path.of("grafana", "alerts");
  private static final Path RULES = ALERTS.resolve("kafka-dedup-rules.yaml");
  private static final Path RULE_TESTS = ALERTS.resolve("kafka-dedup-rules.test.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void shouldPassPromtoolCheckRules() throws Exception {
    Path promtool = PrometheusBinaries.require("promtool");

    assertThat(run(promtool.toString(), "check", "rules", RULES.toString()))
        .contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void shouldPassPromtoolTestRules() throws Exception {
    Path promtool = PrometheusBinaries.require("promtool");

    assertThat(run(promtool.toString(), "test", "rules", RULE_TESTS.toString()))
        .contains("SUCCESS");
  }

  @Test
  void shouldHaveAFiringUnitTestForEveryAlert() throws IOException {
    Set<String> firing = new HashSet<>();
    for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        if (!check.path("exp_alerts").isEmpty()) {
          firing.add(check.path("alertname").asText());
        }
      }
    }

    assertThat(firing).containsExactlyInAnyOrderElementsOf(alerts());
  }

  private static List<String> alerts() throws IOException {
    List<String> alerts = new ArrayList<>();
    for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
      group.path("rules").forEach(rule -> alerts.add(rule.path("alert").asText()));
    }
    return alerts;
  }

  /** Runs a command, returns its output, fails when it exits non-zero. */
  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }
}
