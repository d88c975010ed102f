package dev.kafkadedup.bench;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a variant's output topic with {@code read_committed} on its own thread: counts distinct
 * records (every input value is distinct, so a record replayed under at-least-once counts once),
 * notes when a count was reached, and records the end-to-end latency (visible at the output minus
 * the record timestamp) of records timestamped after {@link #measureLatencyFrom(long)}.
 */
final class OutputWatcher implements AutoCloseable {
  private static final Hasher64 VALUE_DIGEST = Hashing.xxh3_64();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong count = new AtomicLong();

  /** Digests of the values seen: a replayed record (at-least-once) is counted once. */
  private final DigestSet seen = new DigestSet();

  private volatile long latencyFromMillis = Long.MAX_VALUE;

  /** Latencies in milliseconds, unboxed for the same reason as {@link DigestSet}. */
  private long[] latencies = new long[1 << 16];

  private int latencyCount;
  private volatile long targetCount = Long.MAX_VALUE;
  private volatile long targetReachedNanos;
  private volatile RuntimeException failure;

  OutputWatcher(String bootstrapServers, String topic, int partitions) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> assigned = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assigned.add(new TopicPartition(topic, p));
    }
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    thread = new Thread(this::poll, "bench-output-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void poll() {
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(100));
        long nowMillis = System.currentTimeMillis();
        long from = latencyFromMillis;
        int distinct = 0;
        synchronized (this) {
          for (ConsumerRecord<byte[], byte[]> record : records) {
            if (!seen.add(VALUE_DIGEST.hashBytesToLong(record.value()))) {
              continue;
            }
            distinct++;
            if (record.timestamp() >= from) {
              if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, 2 * latencyCount);
              }
              latencies[latencyCount++] = nowMillis - record.timestamp();
            }
          }
        }
        if (count.addAndGet(distinct) >= targetCount && targetReachedNanos == 0) {
          targetReachedNanos = System.nanoTime();
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close();
    }
  }

  long count() {
    if (failure != null) {
      throw failure;
    }
    return count.get();
  }

  /** Notes the {@link System#nanoTime()} when the count first reaches {@code target}. */
  void expect(long target) {
    targetCount = target;
    if (count.get() >= target && targetReachedNanos == 0) {
      targetReachedNanos = System.nanoTime();
    }
  }

  /** {@link System#nanoTime()} when the expected count was reached, or 0. */
  long targetReachedNanos() {
    return targetReachedNanos;
  }

  void measureLatencyFrom(long epochMillis) {
    latencyFromMillis = epochMillis;
  }

  /** Latencies recorded so far, sorted, in milliseconds. */
  long[] sortedLatencies() {
    long[] sorted;
    synchronized (this) {
      sorted = Arrays.copyOf(latencies, latencyCount);
    }
    Arrays.sort(sorted);
    return sorted;
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
