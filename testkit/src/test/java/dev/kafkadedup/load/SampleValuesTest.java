package dev.kafkadedup.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SampleValuesTest {
  @Test
  void shouldPadIdsToAFixedWidth() {
    assertThat(SampleValues.id(42, 9)).isEqualTo("evt-000000042");
    assertThat(SampleValues.id(1_234_567_890_123L, 12)).isEqualTo("evt-1234567890123");
  }

  @Test
  void shouldPadValuesToTheirSizeWithTheIdAtTheFront() {
    byte[] value = SampleValues.json("evt-7", 3, 200);
    assertThat(value).hasSize(200);
    assertThat(new String(value, StandardCharsets.UTF_8))
        .startsWith("{\"id\":\"evt-7\",\"seq\":3,\"payload\":\"xx")
        .endsWith("x\"}");
    // no room for padding: the value is as short as its fields allow
    assertThat(new String(SampleValues.json("evt-7", 3, 10), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":\"evt-7\",\"seq\":3,\"payload\":\"\"}");
  }

  @Test
  void shouldSpreadTimestampsEvenlyUpToTheEnd() {
    Duration hour = Duration.ofHours(1);
    assertThat(SampleValues.timestamp(10_000_000, hour, 0, 5)).isEqualTo(10_000_000 - 3_600_000);
    assertThat(SampleValues.timestamp(10_000_000, hour, 2, 5)).isEqualTo(10_000_000 - 1_800_000);
    assertThat(SampleValues.timestamp(10_000_000, hour, 4, 5)).isEqualTo(10_000_000);
    assertThat(SampleValues.timestamp(10_000_000, hour, 0, 1)).isEqualTo(10_000_000 - 3_600_000);
  }
}
