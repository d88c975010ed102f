package dev.kafkadedup.bench;

import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.load.SampleValues;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The benchmark's input: JSON values of a fixed size with the ID in {@code /id}, a share of them
 * repeating an earlier ID, timestamps rising evenly over a spread that ends now. Generated while
 * sending, so ten million records need no more memory than one.
 *
 * <p>With {@code idInKey} the ID is also the record key (no repartition needed); otherwise keys are
 * random, so repeats land on other partitions and only a dedup by the JSON field removes them.
 */
record BenchData(
    String topic,
    int records,
    double duplicateRatio,
    int valueBytes,
    Duration spread,
    boolean idInKey,
    long seed) {

  static final String ID_POINTER = SampleValues.ID_POINTER;

  /** The same records for another topic. */
  BenchData withTopic(String other) {
    return new BenchData(other, records, duplicateRatio, valueBytes, spread, idInKey, seed);
  }

  /** Sends every record, failing unless all are written; returns the number of distinct IDs. */
  int preload(String bootstrapServers, Runnable progress) {
    SplittableRandom random = new SplittableRandom(seed);
    long end = System.currentTimeMillis();
    int unique = 0;
    try (AckedProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
      for (int i = 0; i < records; i++) {
        long timestamp = SampleValues.timestamp(end, spread, i, records);
        int id =
            unique > 0 && random.nextDouble() < duplicateRatio ? random.nextInt(unique) : unique++;
        producer.send(record(id, i, timestamp, random));
        if ((i & 0xFFFF) == 0) {
          progress.run();
        }
      }
    }
    return unique;
  }

  /** One record with a fresh ID outside the preloaded range, timestamped now. */
  ProducerRecord<byte[], byte[]> live(int n, SplittableRandom random) {
    return record(records + n, records + n, System.currentTimeMillis(), random);
  }

  private ProducerRecord<byte[], byte[]> record(
      int id, int seq, long timestamp, SplittableRandom random) {
    String idText = SampleValues.id(id, 12);
    byte[] key =
        (idInKey ? idText : "k" + Long.toHexString(random.nextLong()))
            .getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(
        topic, null, timestamp, key, SampleValues.json(idText, seq, valueBytes));
  }

  static AckedProducer<byte[], byte[]> producer(String bootstrapServers) {
    return AckedProducer.ofBytes(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.BATCH_SIZE_CONFIG,
            256 * 1024));
  }
}
