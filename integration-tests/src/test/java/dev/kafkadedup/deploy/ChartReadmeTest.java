package dev.kafkadedup.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@code ## @param} lines of the chart's values.yaml are its documentation: every value has one
 * (itself or a parent), every one names a value that exists and has a values.schema.json entry, and
 * the chart README's parameter table is generated from them. {@code ./mvnw test
 * -Dtest=ChartReadmeTest -Dreadme.update=true} rewrites the table.
 */
class ChartReadmeTest {
  private static final Path VALUES = RenderedChart.CHART.resolve("values.yaml");
  private static final Path SCHEMA = RenderedChart.CHART.resolve("values.schema.json");
  private static final Path README = RenderedChart.CHART.resolve("README.md");
  private static final String START = "<!-- parameters:start -->\n";
  private static final String END = "<!-- parameters:end -->";
  private static final Pattern PARAM =
      Pattern.compile("^\\s*## @param (\\S+) (.+)$", Pattern.MULTILINE);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldListEveryParameterInTheReadme() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("chart README parameter table markers").isNotNegative();
    assertThat(end).isGreaterThan(start);

    String table = table();
    if (Boolean.getBoolean("readme.update")) {
      Files.writeString(
          README, readme.substring(0, start + START.length()) + table + readme.substring(end));
      return;
    }

    assertThat(readme.substring(start + START.length(), end))
        .as("chart README parameter table; rewrite it with -Dreadme.update=true")
        .isEqualTo(table);
  }

  @Test
  void shouldDocumentEveryValue() throws IOException {
    Map<String, String> params = params();
    JsonNode values = values();

    assertThat(params.keySet())
        .allSatisfy(name -> assertThat(at(values, name).isMissingNode()).as(name).isFalse());
    assertThat(undocumented(values, "", params)).as("values without an @param line").isEmpty();
  }

  @Test
  void shouldHaveASchemaEntryForEveryParameter() throws IOException {
    JsonNode schema = JSON.readTree(SCHEMA.toFile());

    assertThat(params().keySet())
        .allSatisfy(
            name -> {
              JsonNode node = schema;
              for (String segment : name.split("\\.")) {
                node = node.path("properties").path(segment);
              }
              assertThat(node.isMissingNode()).as("schema entry of %s", name).isFalse();
            });
  }

  /** Parameter name to description, in the order of values.yaml. */
  private static Map<String, String> params() throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(Files.readString(VALUES));
    while (m.find()) {
      assertThat(params.put(m.group(1), m.group(2).strip()))
          .as("@param %s twice", m.group(1))
          .isNull();
    }
    return params;
  }

  private static JsonNode values() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(VALUES.toFile());
  }

  private static JsonNode at(JsonNode values, String name) {
    JsonNode node = values;
    for (String segment : name.split("\\.")) {
      node = node.path(segment);
    }
    return node;
  }

  /** Leaves (and empty maps) with no @param line on themselves or a parent. */
  private static List<String> undocumented(JsonNode node, String name, Map<String, String> params) {
    List<String> missing = new ArrayList<>();
    if (params.containsKey(name)) {
      return missing;
    }
    if (node.isObject() && !node.isEmpty()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String child = name.isEmpty() ? e.getKey() : name + "." + e.getKey();
        missing.addAll(undocumented(e.getValue(), child, params));
      }
    } else {
      missing.add(name);
    }
    return missing;
  }

  private static String table() throws IOException {
    JsonNode values = values();
    return "| name | description | default |\n|---|---|---|\n"
        + params().entrySet().stream()
            .map(
                p ->
                    "| `%s` | %s | %s |"
                        .formatted(
                            p.getKey(),
                            p.getValue().replace("|", "\\|"),
                            defaultOf(at(values, p.getKey()))))
            .collect(Collectors.joining("\n", "", "\n"));
  }

  private static String defaultOf(JsonNode value) {
    String text;
    try {
      text =
          value.isTextual() && !value.asText().isEmpty()
              ? value.asText()
              : JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return "`" + text.replace("|", "\\|") + "`";
  }
}
