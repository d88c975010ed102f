package dev.kafkadedup.bench;

import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a seen-ID changelog straight to its topic, far faster than processing as many records:
 * {@code ids} IDs ({@code id-0}, {@code id-1}, ...) first seen a minute ago, record {@code n} on
 * partition {@code n % partitions}, in the key layout of the store that restores it.
 */
final class SeenIdChangelog {
  /** The changelog formats the restore benchmarks write. */
  enum Layout {
    /** A plain key-value store keyed by the digest alone. */
    DIGEST_ONLY,
    /** This service's seen-ID store: bucket start, digest. */
    SEEN_IDS,
    /** The window-store layout of kafka-dedup 0.1: digest, bucket start, sequence number. */
    WINDOW_STORE
  }

  private SeenIdChangelog() {}

  static void write(
      String bootstrapServers,
      String topic,
      int partitions,
      long ids,
      Duration window,
      Layout layout) {
    long now = System.currentTimeMillis();
    long time = now - 60_000;
    long bucket = SeenIdStore.bucketStart(time, window.toMillis());
    try (AckedProducer<byte[], byte[]> producer = BenchData.producer(bootstrapServers)) {
      for (long n = 0; n < ids; n++) {
        byte[] digest = IdEncoding.DIGEST.encode(("id-" + n).getBytes(StandardCharsets.UTF_8));
        int partition = (int) (n % partitions);
        byte[] value = new FirstOccurrence(time, "events", partition, n).encode(bucket);
        byte[] key =
            switch (layout) {
              case DIGEST_ONLY -> digest;
              case SEEN_IDS -> SeenIdStore.storedKey(digest, bucket);
              case WINDOW_STORE -> SeenIdStore.windowStoreLayoutKey(digest, bucket);
            };
        if (layout == Layout.WINDOW_STORE) {
          value = Arrays.copyOf(value, value.length - 1); // no layout byte
        }
        producer.send(new ProducerRecord<>(topic, partition, now, key, value));
      }
    }
  }
}
