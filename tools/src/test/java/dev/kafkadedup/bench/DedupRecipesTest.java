package dev.kafkadedup.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.id.IdExtractor;
import dev.kafkadedup.id.IdExtractors;
import dev.kafkadedup.id.IdSource;
import dev.kafkadedup.id.JsonValidation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class DedupRecipesTest {
  private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

  private static final IdExtractor JSON_ID =
      IdExtractors.forSource(IdSource.JSON, List.of("/id"), JsonValidation.FULL, "");

  private static final Topology WINDOW_STORE =
      DedupRecipes.windowStore("in", "out", JSON_ID, false, Duration.ofHours(1));
  private static final Topology KEY_VALUE =
      DedupRecipes.keyValue("in", "out", JSON_ID, false, Duration.ofHours(1));

  @Test
  void windowStoreRecipeShouldDropRepeatsInsideTheWindowAndAdmitThemAfter() {
    // More than half a window after the last sighting (which a repeat refreshes): admitted.
    assertThat(outputIds(WINDOW_STORE, 60, 60 + 1801)).containsExactly("a", "b", "a");
  }

  @Test
  void keyValueRecipeShouldDropRepeatsInsideTheWindowAndAdmitThemAfter() {
    // A full window after the first occurrence (which a repeat does not refresh): admitted.
    assertThat(outputIds(KEY_VALUE, 3599, 3600)).containsExactly("a", "b", "a");
  }

  /** IDs output for a, b at T0, then a at T0 + {@code repeat} s and again at {@code again} s. */
  private static List<String> outputIds(Topology topology, long repeat, long again) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "recipe-test");
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<byte[], byte[]> out =
          driver.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
      in.pipeInput(key("k1"), event("a"), T0);
      in.pipeInput(key("k2"), event("b"), T0.plusSeconds(1));
      in.pipeInput(key("k3"), event("a"), T0.plusSeconds(repeat));
      in.pipeInput(key("k4"), event("a"), T0.plusSeconds(again));
      return out.readKeyValuesToList().stream()
          .map(kv -> new String(kv.key, StandardCharsets.UTF_8))
          .toList();
    }
  }

  private static byte[] key(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] event(String id) {
    return ("{\"id\":\"" + id + "\",\"payload\":\"x\"}").getBytes(StandardCharsets.UTF_8);
  }
}
