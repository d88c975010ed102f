package dev.kafkadedup.chaos;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes sequence-numbered JSON events ({@code {"id":"id-<seq>","seq":<seq>,...}}) at a paced rate
 * while faults happen, with injected duplicates: near ones (an ID from the last few dozen), far
 * ones (any earlier ID), each under a fresh key so it lands on another partition; retries (the same
 * record sent twice); re-sends of every record whose send failed (e.g. during a broker restart,
 * which may or may not have written it); and a share of malformed JSON.
 *
 * <p>The producer is not idempotent, so its own retries may add duplicates too. What really reached
 * the topic is read back from it, not taken from here.
 */
final class ChaosProducer implements Runnable {
  private final String bootstrapServers;
  private final String topic;
  private final int records;
  private final Random random;
  private final ConcurrentLinkedQueue<ProducerRecord<byte[], byte[]>> failed =
      new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  private volatile int ratePerSecond;
  private long allowed;
  private long nextSendNanos;

  ChaosProducer(String bootstrapServers, String topic, int records, int ratePerSecond, long seed) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.records = records;
    this.ratePerSecond = ratePerSecond;
    this.random = new Random(seed);
  }

  /** Lets the producer write records up to sequence number {@code upTo} (exclusive). */
  synchronized void allow(long upTo) {
    allowed = upTo;
    notifyAll();
  }

  private synchronized void awaitAllowed(int seq) {
    while (seq >= allowed) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Sends the rest as fast as the broker takes it (when the fault schedule is over). */
  void unthrottle() {
    ratePerSecond = Integer.MAX_VALUE;
  }

  long sent() {
    return sent.get();
  }

  long resent() {
    return resent.get();
  }

  @Override
  public void run() {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 5,
            // fail fast while the broker is down, so the re-send path below is exercised
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    int[] uniqueSeqs = new int[records];
    int uniques = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int seq = 0; seq < records; seq++) {
        awaitAllowed(seq);
        pace();
        for (ProducerRecord<byte[], byte[]> retry = failed.poll();
            retry != null;
            retry = failed.poll()) {
          resent.incrementAndGet();
          send(producer, retry);
        }
        long now = System.currentTimeMillis();
        byte[] key = ("k-" + random.nextInt(10_000)).getBytes(StandardCharsets.UTF_8);
        double dice = random.nextDouble();
        if (dice < 0.01) {
          send(producer, new ProducerRecord<>(topic, null, now, key, malformed(seq)));
        } else if (dice < 0.11 && uniques > 0) {
          int near = uniqueSeqs[Math.max(0, uniques - 1 - random.nextInt(50))];
          send(producer, new ProducerRecord<>(topic, null, now, key, event(near)));
        } else if (dice < 0.16 && uniques > 0) {
          int far = uniqueSeqs[random.nextInt(uniques)];
          send(producer, new ProducerRecord<>(topic, null, now, key, event(far)));
        } else {
          uniqueSeqs[uniques++] = seq;
          ProducerRecord<byte[], byte[]> record =
              new ProducerRecord<>(topic, null, now, key, event(seq));
          send(producer, record);
          if (dice > 0.97) {
            send(producer, record); // a retry after a lost acknowledgement
          }
        }
      }
      while (inFlight.get() > 0 || !failed.isEmpty()) {
        producer.flush();
        for (ProducerRecord<byte[], byte[]> retry = failed.poll();
            retry != null;
            retry = failed.poll()) {
          resent.incrementAndGet();
          send(producer, retry);
        }
      }
    }
  }

  private void send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
    inFlight.incrementAndGet();
    producer.send(
        record,
        (metadata, error) -> {
          if (error != null) {
            failed.add(record);
          } else {
            sent.incrementAndGet();
          }
          inFlight.decrementAndGet();
        });
  }

  /** Spaces sends {@code 1/rate} apart; a pause (no allowance yet) is not made up for. */
  private void pace() {
    if (ratePerSecond == Integer.MAX_VALUE) {
      return;
    }
    long now = System.nanoTime();
    long lateBy = TimeUnit.MILLISECONDS.toNanos(50);
    nextSendNanos = Math.max(nextSendNanos + 1_000_000_000L / ratePerSecond, now - lateBy);
    long wait = nextSendNanos - now;
    if (wait > TimeUnit.MILLISECONDS.toNanos(1)) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static byte[] event(int seq) {
    return ("{\"id\":\"id-" + seq + "\",\"seq\":" + seq + ",\"payload\":\"chaos-" + seq + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] malformed(int seq) {
    return ("{\"id\": \"broken-" + seq).getBytes(StandardCharsets.UTF_8);
  }
}
