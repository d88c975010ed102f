package dev.kafkadedup.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestoreProgressTest {
  private static final TopicPartition P0 = new TopicPartition("app-seen-ids-changelog", 0);
  private static final TopicPartition P1 = new TopicPartition("app-seen-ids-changelog", 1);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RestoreProgress progress = new RestoreProgress(registry);

  @Test
  void shouldReportRemainingRecordsWhileRestoring() {
    progress.onRestoreStart(P0, "seen-ids", 100, 1_100);
    progress.onRestoreStart(P1, "seen-ids", 0, 500);
    progress.onBatchRestored(P0, "seen-ids", 599, 500);

    assertThat(progress.restoringPartitions()).isEqualTo(2);
    assertThat(progress.remainingRecords()).isEqualTo(500 + 500);
    assertThat(gauge(MetricNames.RESTORE_REMAINING)).isEqualTo(1_000);
    assertThat(registry.get(MetricNames.RESTORE_RECORDS).counter().count()).isEqualTo(500);
  }

  @Test
  void shouldReportNothingRemainingOnceRestoredOrSuspended() {
    progress.onRestoreStart(P0, "seen-ids", 0, 1_000);
    progress.onRestoreStart(P1, "seen-ids", 0, 1_000);
    progress.onBatchRestored(P0, "seen-ids", 999, 1_000);
    progress.onRestoreEnd(P0, "seen-ids", 1_000);
    progress.onRestoreSuspended(P1, "seen-ids", 0);

    assertThat(progress.restoringPartitions()).isZero();
    assertThat(gauge(MetricNames.RESTORE_REMAINING)).isZero();
    assertThat(gauge(MetricNames.RESTORE_PARTITIONS)).isZero();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }
}
