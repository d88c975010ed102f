package dev.kafkadedup.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Restoration of local state from changelogs, as Kafka Streams reports it: records restored so far
 * and, per restoring changelog partition, the records still to go. Readiness reports it too.
 */
public final class RestoreProgress implements StateRestoreListener {
  /** Changelog partition → its end offset (exclusive) and the next offset to restore. */
  private final Map<TopicPartition, long[]> restoring = new ConcurrentHashMap<>();

  private final Counter restored;

  RestoreProgress(MeterRegistry registry) {
    restored =
        Counter.builder(MetricNames.RESTORE_RECORDS)
            .description("changelog records restored into local state")
            .register(registry);
    Gauge.builder(MetricNames.RESTORE_REMAINING, this, RestoreProgress::remainingRecords)
        .description("changelog records still to restore")
        .register(registry);
    Gauge.builder(MetricNames.RESTORE_PARTITIONS, this, RestoreProgress::restoringPartitions)
        .description("store partitions restoring now")
        .register(registry);
  }

  /** Records still to restore over all restoring partitions (offsets, so an upper bound). */
  public long remainingRecords() {
    return restoring.values().stream().mapToLong(p -> Math.max(0, p[0] - p[1])).sum();
  }

  public int restoringPartitions() {
    return restoring.size();
  }

  @Override
  public void onRestoreStart(
      TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
    restoring.put(partition, new long[] {endingOffset, startingOffset});
  }

  @Override
  public void onBatchRestored(
      TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
    restored.increment(numRestored);
    restoring.computeIfPresent(
        partition, (p, offsets) -> new long[] {offsets[0], batchEndOffset + 1});
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
    restoring.remove(partition);
  }

  @Override
  public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
    restoring.remove(partition);
  }
}
