package dev.kafkadedup.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard JSON as Grafana 11+ needs it (no Grafana runs here to load it): a current
 * schemaVersion, unique panel ids, panels on the 24-column grid without overlaps, every query on
 * the templated data source, and only template variables that exist. {@code PrometheusDashboardIT}
 * runs the queries themselves against a real Prometheus.
 */
class GrafanaDashboardTest {
  /** Grafana 11.0 writes schemaVersion 39; older dashboards are migrated on load. */
  private static final int MIN_SCHEMA_VERSION = 39;

  private static final int GRID_COLUMNS = 24;
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)");
  private static final Set<String> GRAFANA_VARIABLES =
      Set.of("__rate_interval", "__interval", "__range");

  static JsonNode dashboard() throws IOException {
    return new ObjectMapper()
        .readTree(Path.of("grafana", "dashboards", "kafka-dedup.json").toFile());
  }

  /** Every non-row panel, rows' nested panels included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  @Test
  void shouldBeTheOnlyDashboardAndProvisioned() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("grafana", "dashboards"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("kafka-dedup.json");
    }
    assertThat(Path.of("grafana", "provisioning", "dashboards", "kafka-dedup.yaml"))
        .isRegularFile();
    assertThat(Path.of("grafana", "provisioning", "datasources", "prometheus.yaml"))
        .isRegularFile();
  }

  @Test
  void shouldHaveACurrentSchemaVersionAndIdentity() throws IOException {
    JsonNode dashboard = dashboard();

    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(MIN_SCHEMA_VERSION);
    assertThat(dashboard.path("uid").asText()).matches("[a-zA-Z0-9_-]{1,40}");
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.has("id")).as("no database id in a provisioned dashboard").isFalse();
  }

  @Test
  void shouldHaveUniquePanelIds() throws IOException {
    List<Integer> ids = panels(dashboard()).stream().map(p -> p.path("id").asInt(-1)).toList();

    assertThat(ids).doesNotContain(-1).doesNotHaveDuplicates();
  }

  @Test
  void shouldPlacePanelsOnTheGridWithoutOverlap() throws IOException {
    List<int[]> boxes = new ArrayList<>();
    for (JsonNode panel : panels(dashboard())) {
      JsonNode grid = panel.path("gridPos");
      int x = grid.path("x").asInt(-1);
      int y = grid.path("y").asInt(-1);
      int w = grid.path("w").asInt(0);
      int h = grid.path("h").asInt(0);
      String name = panel.path("title").asText();
      assertThat(x).as("x of %s", name).isBetween(0, GRID_COLUMNS - 1);
      assertThat(y).as("y of %s", name).isNotNegative();
      assertThat(w).as("w of %s", name).isBetween(1, GRID_COLUMNS - x);
      assertThat(h).as("h of %s", name).isPositive();
      for (int[] other : boxes) {
        boolean overlaps =
            x < other[0] + other[2]
                && other[0] < x + w
                && y < other[1] + other[3]
                && other[1] < y + h;
        assertThat(overlaps).as("%s overlaps another panel", name).isFalse();
      }
      boxes.add(new int[] {x, y, w, h});
    }
  }

  @Test
  void shouldQueryTheTemplatedDataSourceWithKnownVariables() throws IOException {
    JsonNode dashboard = dashboard();
    Set<String> defined = new HashSet<>(GRAFANA_VARIABLES);
    dashboard.path("templating").path("list").forEach(v -> defined.add(v.path("name").asText()));
    assertThat(defined).contains("datasource", "application", "instance");

    for (JsonNode panel : panels(dashboard)) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      String name = panel.path("title").asText();
      assertThat(panel.path("datasource").path("uid").asText()).as(name).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as("targets of %s", name).isNotEmpty();
      Set<String> refIds = new HashSet<>();
      for (JsonNode target : panel.path("targets")) {
        assertThat(refIds.add(target.path("refId").asText())).as("refIds of %s", name).isTrue();
        String expr = target.path("expr").asText();
        assertThat(expr).as("expr in %s", name).isNotBlank();
        Matcher variables = VARIABLE.matcher(expr);
        while (variables.find()) {
          assertThat(defined).as("variable in %s", name).contains(variables.group(1));
        }
      }
    }
  }

  /**
   * Expressions whose series is missing or NaN on a fresh start: rate() and increase() need two
   * samples, a quantile or ratio of no traffic is NaN, Kafka's averages are NaN before their first
   * sample, and lag and GC series appear with the first assignment or collection.
   */
  private static final Pattern WAITS_FOR_AN_EVENT =
      Pattern.compile("rate\\(|increase\\(|histogram_quantile|_lag\\{|_latency_(avg|max)\\{");

  /** The zero a panel shows until its series has data: {@code EXPR or ... (0 * SERIES)}. */
  private static final Pattern ZERO_FALLBACK =
      Pattern.compile(" or (on\\(\\) )?\\w+( by \\(\\w+\\))? ?\\(0 \\* \\w+\\{[^}]*\\}\\)$");

  @Test
  void shouldShowZeroUntilASeriesHasData() throws IOException {
    for (String[] panelAndExpr : expressions(dashboard())) {
      String expr = panelAndExpr[1];
      if (WAITS_FOR_AN_EVENT.matcher(expr).find()) {
        assertThat(expr).as("expr in %s", panelAndExpr[0]).containsPattern(ZERO_FALLBACK);
      }
    }
  }

  /** An expression without its zero fallback: what the panel shows once there is data. */
  static String withoutZeroFallback(String expr) {
    Matcher fallback = ZERO_FALLBACK.matcher(expr);
    return fallback.find() ? expr.substring(0, fallback.start()) : expr;
  }

  /** Every PromQL expression of the panels, each with the panel's title. */
  static List<String[]> expressions(JsonNode dashboard) {
    List<String[]> expressions = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        expressions.add(new String[] {panel.path("title").asText(), target.path("expr").asText()});
      }
    }
    return expressions;
  }
}
