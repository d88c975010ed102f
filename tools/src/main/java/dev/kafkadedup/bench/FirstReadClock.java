package dev.kafkadedup.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Notes when a variant's main consumer first returns records, so every variant's clock starts at
 * its first read, not at start-up or rebalance. Installed as a consumer interceptor: the same for
 * every variant and outside their topologies. One variant runs at a time.
 */
public final class FirstReadClock implements ConsumerInterceptor<byte[], byte[]> {
  private static final AtomicLong FIRST_READ_NANOS = new AtomicLong();

  static void reset() {
    FIRST_READ_NANOS.set(0);
  }

  /** {@link System#nanoTime()} of the first read since {@link #reset()}, or 0. */
  static long firstReadNanos() {
    return FIRST_READ_NANOS.get();
  }

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    if (!records.isEmpty() && FIRST_READ_NANOS.get() == 0) {
      FIRST_READ_NANOS.compareAndSet(0, System.nanoTime());
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
