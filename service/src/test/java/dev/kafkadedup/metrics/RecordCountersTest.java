package dev.kafkadedup.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCountersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecordCounters counters = new RecordCounters(registry);

  private double count(String meter, String topic) {
    return registry.get(meter).tag(MetricNames.TOPIC, topic).counter().count();
  }

  @Test
  void shouldExportRegisteredTopicsAsZeroBeforeAnyRecord() {
    counters.register("orders");

    for (String meter :
        new String[] {
          MetricNames.RECORDS_IN,
          MetricNames.RECORDS_UNIQUE,
          MetricNames.RECORDS_DUPLICATE,
          MetricNames.RECORDS_DEAD_LETTER
        }) {
      assertThat(count(meter, "orders")).as(meter).isZero();
    }
  }

  @Test
  void shouldCountEachTopicApartWhenACursorSwitchesBetweenThem() {
    RecordCounters.Cursor cursor = counters.cursor();

    cursor.of("a").in();
    cursor.of("b").in();
    cursor.of("a").in();
    cursor.of("a").unique();
    cursor.of("b").duplicate();
    cursor.of("b").deadLetter();
    // another thread's cursor adds to the same counters
    counters.cursor().of("a").in();

    assertThat(count(MetricNames.RECORDS_IN, "a")).isEqualTo(3);
    assertThat(count(MetricNames.RECORDS_IN, "b")).isEqualTo(1);
    assertThat(count(MetricNames.RECORDS_UNIQUE, "a")).isEqualTo(1);
    assertThat(count(MetricNames.RECORDS_UNIQUE, "b")).isZero();
    assertThat(count(MetricNames.RECORDS_DUPLICATE, "b")).isEqualTo(1);
    assertThat(count(MetricNames.RECORDS_DEAD_LETTER, "b")).isEqualTo(1);
  }

  @Test
  void shouldBeFoundInTheStreamsConfigOrCountNothing() {
    assertThat(RecordCounters.from(Map.of(RecordCounters.CONFIG, counters))).isSameAs(counters);

    RecordCounters.from(Map.of()).cursor().of("a").in();

    assertThat(registry.find(MetricNames.RECORDS_IN).counters()).isEmpty();
  }
}
