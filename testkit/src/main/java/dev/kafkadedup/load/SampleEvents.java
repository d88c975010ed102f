package dev.kafkadedup.load;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sample JSON events with an ID in the {@code /id} field, injected duplicates and a share of
 * malformed records, plus what a correct dedup of them must output. Duplicates repeat an earlier
 * event's value byte for byte under a different random key, so they land on other partitions and
 * only deduplication by the JSON ID (with repartitioning) removes them.
 */
public final class SampleEvents {
  /** The ID field's JSON Pointer. */
  public static final String ID_POINTER = SampleValues.ID_POINTER;

  private final Map<String, byte[]> uniqueById = new LinkedHashMap<>();
  private final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
  private int malformed;

  private SampleEvents() {}

  /**
   * Generates {@code count} records for {@code topic}: a {@code duplicateRatio} share repeats an
   * earlier event, a {@code malformedRatio} share is not valid JSON. Timestamps rise evenly over
   * {@code spread} ending now, so duplicates are spread in time as well as across partitions.
   */
  public static SampleEvents generate(
      String topic,
      int count,
      double duplicateRatio,
      double malformedRatio,
      int valueBytes,
      Duration spread,
      long seed) {
    SampleEvents events = new SampleEvents();
    Random random = new Random(seed);
    List<byte[]> sent = new ArrayList<>();
    long end = System.currentTimeMillis();
    for (int i = 0; i < count; i++) {
      long timestamp = SampleValues.timestamp(end, spread, i, count);
      byte[] key = ("k" + Long.toHexString(random.nextLong())).getBytes(StandardCharsets.UTF_8);
      double dice = random.nextDouble();
      byte[] value;
      if (dice < malformedRatio) {
        value = ("{\"id\": \"broken-" + i).getBytes(StandardCharsets.UTF_8);
        events.malformed++;
      } else if (dice < malformedRatio + duplicateRatio && !sent.isEmpty()) {
        value = sent.get(random.nextInt(sent.size()));
      } else {
        String id = SampleValues.id(events.uniqueById.size(), 9);
        value = SampleValues.json(id, i, valueBytes);
        events.uniqueById.put(id, value);
        sent.add(value);
      }
      events.records.add(new ProducerRecord<>(topic, null, timestamp, key, value));
    }
    return events;
  }

  /** Sends every record and waits until all are acknowledged; throws if any was not written. */
  public void produce(String bootstrapServers) {
    try (AckedProducer<byte[], byte[]> producer =
        AckedProducer.ofBytes(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG,
                10,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4"))) {
      records.forEach(producer::send);
    }
  }

  public List<ProducerRecord<byte[], byte[]>> records() {
    return records;
  }

  /** Each distinct ID with the value of its first occurrence, in first-occurrence order. */
  public Map<String, byte[]> uniqueById() {
    return uniqueById;
  }

  public int malformed() {
    return malformed;
  }

  public int duplicates() {
    return records.size() - uniqueById.size() - malformed;
  }
}
