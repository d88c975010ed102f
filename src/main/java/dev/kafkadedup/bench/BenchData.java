package dev.kafkadedup.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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

  static final String ID_POINTER = "/id";

  /** Sends every record with an idempotent producer; returns the number of distinct IDs. */
  int preload(String bootstrapServers, Runnable progress) {
    SplittableRandom random = new SplittableRandom(seed);
    long end = System.currentTimeMillis();
    long start = end - spread.toMillis();
    int unique = 0;
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
      for (int i = 0; i < records; i++) {
        long timestamp = start + (long) ((double) spread.toMillis() * i / Math.max(1, records - 1));
        int id =
            unique > 0 && random.nextDouble() < duplicateRatio ? random.nextInt(unique) : unique++;
        send(producer, id, i, timestamp, random);
        if ((i & 0xFFFF) == 0) {
          progress.run();
        }
      }
      producer.flush();
    }
    return unique;
  }

  /** One record with a fresh ID outside the preloaded range, timestamped now. */
  ProducerRecord<byte[], byte[]> live(int n, SplittableRandom random) {
    return record(records + n, records + n, System.currentTimeMillis(), random);
  }

  private void send(
      KafkaProducer<byte[], byte[]> producer,
      int id,
      int seq,
      long timestamp,
      SplittableRandom random) {
    producer.send(record(id, seq, timestamp, random));
  }

  private ProducerRecord<byte[], byte[]> record(
      int id, int seq, long timestamp, SplittableRandom random) {
    String idText = String.format("evt-%012d", id);
    String head = "{\"id\":\"" + idText + "\",\"seq\":" + seq + ",\"payload\":\"";
    String value = head + "x".repeat(Math.max(0, valueBytes - head.length() - 2)) + "\"}";
    byte[] key =
        (idInKey ? idText : "k" + Long.toHexString(random.nextLong()))
            .getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(
        topic, null, timestamp, key, value.getBytes(StandardCharsets.UTF_8));
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
