package dev.kafkadedup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FirstOccurrenceTest {
  private static final long BUCKET = 1_764_115_200_000L;

  @Test
  void shouldRoundTripRelativeToItsBucket() {
    FirstOccurrence first =
        new FirstOccurrence(BUCKET + 86_399_999, "orders.eu", 11, 9_876_543_210L);

    byte[] value = first.encode(BUCKET);

    assertThat(FirstOccurrence.decode(value, BUCKET)).isEqualTo(first);
    assertThat(FirstOccurrence.timeOf(value, BUCKET)).isEqualTo(first.time());
  }

  @Test
  void shouldStoreTypicalOccurrencesInAFewBytesBesidesTheTopic() {
    byte[] value = new FirstOccurrence(BUCKET + 3_600_000, "events", 3, 123_456_789).encode(BUCKET);

    // 4 bytes of time into the bucket, 1 of partition, 4 of offset, the topic, 1 layout byte
    assertThat(value).hasSize(4 + 1 + 4 + "events".length() + 1);
    assertThat(FirstOccurrence.isWindowStoreLayout(value)).isFalse();
  }

  @Test
  void shouldReadValuesOfTheWindowStoreLayout() {
    FirstOccurrence first = new FirstOccurrence(BUCKET + 42, "orders-eu_1.x", 5, 77);
    byte[] encoded = first.encode(BUCKET);
    byte[] old = java.util.Arrays.copyOf(encoded, encoded.length - 1);

    assertThat(FirstOccurrence.isWindowStoreLayout(old)).isTrue();
    assertThat(FirstOccurrence.decode(old, BUCKET)).isEqualTo(first);
    assertThat(FirstOccurrence.fromWindowStoreLayout(old)).isEqualTo(encoded);
  }

  @Test
  void shouldRoundTripTheLargestOffsets() {
    FirstOccurrence first = new FirstOccurrence(BUCKET + 1, "t", Integer.MAX_VALUE, Long.MAX_VALUE);

    assertThat(FirstOccurrence.decode(first.encode(BUCKET), BUCKET)).isEqualTo(first);
  }

  @Test
  void shouldKeepEmptyTopicAndZeroFields() {
    FirstOccurrence first = new FirstOccurrence(BUCKET, "", 0, 0);

    assertThat(FirstOccurrence.decode(first.encode(BUCKET), BUCKET)).isEqualTo(first);
  }

  @Test
  void shouldRejectATimeBeforeItsBucket() {
    FirstOccurrence first = new FirstOccurrence(BUCKET - 1, "events", 0, 0);

    assertThatThrownBy(() -> first.encode(BUCKET)).hasMessageContaining("before its bucket");
  }
}
