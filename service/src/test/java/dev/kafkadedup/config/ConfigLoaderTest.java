package dev.kafkadedup.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kafkadedup.id.IdSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  private static final String YAML =
      """
      kafka:
        bootstrap.servers: broker-1:9092
        num.stream.threads: 2
      input.topics:
        - orders
        - returns
      output.topic: orders-unique
      dead.letter.topic: orders-dlq
      duplicates.topic:
      id:
        source: json
        json:
          pointers: [/order/id, /line]
        repartition: false
      window.size: PT1H
      """;

  private static final String PROPERTIES =
      """
      kafka.bootstrap.servers=broker-1:9092
      input.topics=orders
      output.topic = orders-unique
      dead.letter.topic=orders-dlq
      window.size=PT1H \s
      """;

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void shouldFlattenNestedYamlMapsAndLists() throws IOException {
    Map<String, String> props = ConfigLoader.readFile(write("dedup.yaml", YAML));

    assertThat(props)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "kafka.bootstrap.servers", "broker-1:9092",
                "kafka.num.stream.threads", "2",
                "input.topics", "orders,returns",
                "output.topic", "orders-unique",
                "dead.letter.topic", "orders-dlq",
                "duplicates.topic", "",
                "id.source", "json",
                "id.json.pointers", "/order/id,/line",
                "id.repartition", "false",
                "window.size", "PT1H"));
  }

  @Test
  void shouldLoadYamlIntoConfig() throws IOException {
    DedupConfig config = ConfigLoader.load(write("dedup.yml", YAML), Map.of());

    assertThat(config.inputTopics()).containsExactly("orders", "returns");
    assertThat(config.outputTopic()).isEqualTo("orders-unique");
    assertThat(config.duplicatesTopic()).isEmpty();
    assertThat(config.idSource()).isEqualTo(IdSource.JSON);
    assertThat(config.idJsonPointers()).containsExactly("/order/id", "/line");
    assertThat(config.repartitionById()).isFalse();
    assertThat(config.window()).isEqualTo(Duration.ofHours(1));
    assertThat(config.streamsProperties())
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9092")
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
  }

  @Test
  void shouldLoadPropertiesFileWithTrimmedValues() throws IOException {
    Path file = write("dedup.properties", PROPERTIES);

    assertThat(ConfigLoader.readFile(file))
        .containsEntry("output.topic", "orders-unique")
        .containsEntry("window.size", "PT1H");
    DedupConfig config = ConfigLoader.load(file, Map.of());
    assertThat(config.inputTopics()).containsExactly("orders");
    assertThat(config.window()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void shouldLetEnvironmentOverrideFile() throws IOException {
    DedupConfig config =
        ConfigLoader.load(
            write("dedup.yaml", YAML),
            Map.of(
                "DEDUP_WINDOW_SIZE", "P7D",
                "DEDUP_KAFKA_BOOTSTRAP_SERVERS", "other:9093",
                "PATH", "/usr/bin"));

    assertThat(config.window()).isEqualTo(Duration.ofDays(7));
    assertThat(config.streamsProperties())
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "other:9093");
    assertThat(config.outputTopic()).isEqualTo("orders-unique");
  }

  @Test
  void shouldLoadFromEnvironmentAlone() {
    DedupConfig config =
        ConfigLoader.load(
            null,
            Map.of(
                "DEDUP_KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                "DEDUP_INPUT_TOPICS", "in",
                "DEDUP_OUTPUT_TOPIC", "out",
                "DEDUP_DEAD_LETTER_TOPIC", "dlq"));

    assertThat(config.inputTopics()).containsExactly("in");
    assertThat(config.outputTopic()).isEqualTo("out");
  }

  @Test
  void shouldTakeOnlyPrefixedVariables() {
    assertThat(
            ConfigLoader.fromEnvironment(
                Map.of(
                    "DEDUP_WINDOW_SIZE", "P7D",
                    "DEDUP_", "ignored",
                    "HOME", "/root",
                    "XDEDUP_OUTPUT_TOPIC", "ignored")))
        .containsExactlyEntriesOf(Map.of("window.size", "P7D"));
  }

  @Test
  void shouldMapKeysToVariablesAndBack() {
    assertThat(ConfigLoader.envForKey("window.size")).isEqualTo("DEDUP_WINDOW_SIZE");
    assertThat(ConfigLoader.keyForEnv("DEDUP_KAFKA_BOOTSTRAP_SERVERS"))
        .isEqualTo("kafka.bootstrap.servers");
    assertThat(DedupConfig.CONFIG.names())
        .isNotEmpty()
        .allSatisfy(
            key -> {
              String env = ConfigLoader.envForKey(key);
              assertThat(env).startsWith(ConfigLoader.ENV_PREFIX).matches("[A-Z0-9_]+");
              assertThat(ConfigLoader.keyForEnv(env)).isEqualTo(key);
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"a: [unclosed\n", "a: b\n  c: d\n", "key: \"open\n"})
  void shouldRejectInvalidYaml(String yaml) throws IOException {
    Path file = write("bad.yaml", yaml);

    assertThatThrownBy(() -> ConfigLoader.readFile(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("YAML");
  }

  @Test
  void shouldRejectInvalidYamlWithoutQuotingTheBrokenLine() throws IOException {
    String secret = "pw-" + Long.toHexString(new java.util.Random().nextLong());
    Path file =
        write(
            "secret.yaml",
            "input.topics: in\nkafka:\n  sasl.jaas.config: \"x password=" + secret + "\n: ]\n");

    assertThatThrownBy(() -> ConfigLoader.readFile(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line")
        .message()
        .doesNotContain(secret);
  }

  @Test
  void shouldRejectYamlThatIsNotAMap() throws IOException {
    Path file = write("list.yaml", "- a\n- b\n");

    assertThatThrownBy(() -> ConfigLoader.readFile(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("map");
  }

  @Test
  void shouldReadEmptyYamlAsNoKeys() throws IOException {
    assertThat(ConfigLoader.readFile(write("empty.yaml", ""))).isEmpty();
  }

  @Test
  void shouldRejectMissingFile() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void shouldValidateLoadedConfig() throws IOException {
    Path file = write("dedup.yaml", YAML.replace("window.size: PT1H", "window.size: P7X"));

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("window.size")
        .hasMessageContaining("P7X");
  }

  @Test
  void shouldRejectUnknownKeyFromEnvironment() throws IOException {
    Path file = write("dedup.yaml", YAML);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("DEDUP_WINDOW", "P1D")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("window");
  }
}
