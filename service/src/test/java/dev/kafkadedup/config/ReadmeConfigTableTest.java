package dev.kafkadedup.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * README's configuration table is generated from {@link DedupConfig#CONFIG}, the one source of
 * truth: this test fails when they drift. {@code ./mvnw test -Dtest=ReadmeConfigTableTest
 * -Dreadme.update=true} rewrites the table.
 */
class ReadmeConfigTableTest {
  private static final String START = "<!-- config-table:start -->\n";
  private static final String END = "<!-- config-table:end -->";

  @Test
  void shouldDocumentEveryKeyInReadme() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("README config table markers").isNotNegative();
    assertThat(end).isGreaterThan(start);

    String documented = readme.substring(start + START.length(), end);
    if (Boolean.getBoolean("readme.update")) {
      Files.writeString(
          Path.of("README.md"),
          readme.substring(0, start + START.length()) + table() + readme.substring(end));
      return;
    }

    assertThat(documented)
        .as("README configuration table; replace it with the expected text")
        .isEqualTo(table());
  }

  private static String table() {
    List<ConfigDef.ConfigKey> keys =
        DedupConfig.CONFIG.configKeys().values().stream()
            .sorted((a, b) -> a.name.compareTo(b.name))
            .toList();
    return "| key | env | default | description |\n|---|---|---|---|\n"
        + keys.stream()
            .map(
                key ->
                    "| `%s` | `%s` | %s | %s |"
                        .formatted(
                            key.name,
                            ConfigLoader.envForKey(key.name),
                            defaultOf(key),
                            key.documentation.replace("|", "\\|")))
            .collect(Collectors.joining("\n", "", "\n"));
  }

  private static String defaultOf(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "*required*";
    }
    if (key.defaultValue == null) {
      return "(empty)";
    }
    String value =
        key.defaultValue instanceof List<?> list
            ? list.stream().map(String::valueOf).collect(Collectors.joining(","))
            : String.valueOf(key.defaultValue);
    return value.isEmpty() ? "(empty)" : "`" + value + "`";
  }
}
