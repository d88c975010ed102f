package dev.kafkadedup.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kafkadedup.config.DedupConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateFormatTest {
  private static DedupConfig config(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", "localhost:9092");
    props.put("input.topics", "in");
    props.put("output.topic", "out");
    props.put("dead.letter.topic", "dlq");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return DedupConfig.from(props);
  }

  @Test
  void shouldRecordWhatTheStateBytesDependOn() {
    StateFormat format =
        StateFormat.of(
            config("id.source", "json", "id.json.pointers", "/a,/b", "window.size", "P1D"));
    assertThat(format.fields())
        .containsEntry("layout", StateFormat.CURRENT_LAYOUT)
        .containsEntry("window.size", "PT24H")
        .containsEntry("id.store", "digest")
        .containsEntry("id.source", "json")
        .containsEntry("id.json.pointers", "/a,/b")
        .containsEntry("id.repartition", "true")
        .doesNotContainKey("id.header");
  }

  @Test
  void shouldSeeTheSameWindowWrittenTwoWays() {
    assertThat(
            StateFormat.of(config("window.size", "P1D"))
                .firstDifference(StateFormat.of(config("window.size", "PT24H"))))
        .isEmpty();
  }

  @Test
  void shouldNameTheFirstChangedKeyWithBothValues() {
    StateFormat recorded = StateFormat.of(config("window.size", "PT24H", "id.store", "digest"));
    assertThat(
            recorded.firstDifference(
                StateFormat.of(config("window.size", "PT1H", "id.store", "raw"))))
        .hasValue("window.size is 'PT1H' but the state was written with 'PT24H'");
    assertThat(recorded.firstDifference(StateFormat.of(config("id.store", "raw"))))
        .hasValue("id.store is 'raw' but the state was written with 'digest'");
    assertThat(
            recorded.firstDifference(
                StateFormat.of(config("id.source", "header", "id.header", "x-id"))))
        .hasValue("id.source is 'header' but the state was written with 'key'");
    // the windows' time mode does not change the bytes: it may change
    assertThat(recorded.firstDifference(StateFormat.of(config("window.time", "processing"))))
        .isEmpty();
  }

  @Test
  void shouldRoundTripThroughJsonAndRejectOtherRecords() {
    StateFormat format = StateFormat.of(config("id.source", "header", "id.header", "x-id"));
    assertThat(StateFormat.fromJson(format.toJson())).isEqualTo(format);
    assertThatThrownBy(() -> StateFormat.fromJson("{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StateFormat.fromJson("{trunc".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
