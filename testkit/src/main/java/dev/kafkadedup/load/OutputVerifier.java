package dev.kafkadedup.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the service's output, duplicates and dead-letter topics with {@code read_committed}, as a
 * downstream consumer would, and compares them with what {@link SampleEvents} says a correct dedup
 * outputs: every unique ID exactly once with its first value, nothing foreign, every malformed
 * record dead-lettered. Independent of the service's own counters.
 */
public final class OutputVerifier implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SampleEvents expected;
  private final String outputTopic;
  private final String deadLetterTopic;
  private final String duplicatesTopic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Integer> outputCounts = new HashMap<>();
  private final List<String> foreign = new ArrayList<>();
  private int output;
  private int deadLettered;
  private int duplicates;
  private long completedAtNanos;

  /** {@code duplicatesTopic} may be null when duplicates are dropped. */
  public OutputVerifier(
      String bootstrapServers,
      SampleEvents expected,
      String outputTopic,
      String deadLetterTopic,
      String duplicatesTopic) {
    this.expected = expected;
    this.outputTopic = outputTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.duplicatesTopic = duplicatesTopic;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-dedup-verifier-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<String> topics = new ArrayList<>(List.of(outputTopic, deadLetterTopic));
    if (duplicatesTopic != null) {
      topics.add(duplicatesTopic);
    }
    consumer.subscribe(topics);
  }

  /**
   * Polls until everything expected has arrived, then for {@code settle} more to catch any extra
   * record, or until {@code timeout}. Calls {@code progress} about once a second.
   *
   * @return true when the output is complete (it may still be wrong: see {@link #problems()})
   */
  public boolean await(Duration timeout, Duration settle, Consumer<OutputVerifier> progress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextProgress = 0;
    long settledAt = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, settledAt)) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        accept(record);
      }
      if (System.nanoTime() > nextProgress) {
        progress.accept(this);
        nextProgress = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      }
      if (settledAt == Long.MAX_VALUE && complete()) {
        completedAtNanos = System.nanoTime();
        settledAt = completedAtNanos + settle.toNanos();
      }
    }
    progress.accept(this);
    return complete();
  }

  private boolean complete() {
    return outputCounts.size() == expected.uniqueById().size()
        && deadLettered >= expected.malformed()
        && (duplicatesTopic == null || duplicates >= expected.duplicates());
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    if (record.topic().equals(deadLetterTopic)) {
      deadLettered++;
    } else if (record.topic().equals(outputTopic)) {
      output++;
      String id = idOf(record.value());
      byte[] first = id == null ? null : expected.uniqueById().get(id);
      if (first == null || !Arrays.equals(first, record.value())) {
        foreign.add(record.topic() + "-" + record.partition() + "@" + record.offset());
      } else {
        outputCounts.merge(id, 1, Integer::sum);
      }
    } else {
      duplicates++;
    }
  }

  private static String idOf(byte[] value) {
    try {
      JsonNode id = value == null ? null : JSON.readTree(value).at(SampleEvents.ID_POINTER);
      return id == null || !id.isTextual() ? null : id.asText();
    } catch (IOException e) {
      return null;
    }
  }

  /** What differs from a correct dedup; empty when the output is exactly the unique input. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    TreeSet<String> missing = new TreeSet<>(expected.uniqueById().keySet());
    missing.removeAll(outputCounts.keySet());
    if (!missing.isEmpty()) {
      problems.add(missing.size() + " unique IDs missing from the output, e.g. " + sample(missing));
    }
    TreeSet<String> repeated = new TreeSet<>();
    outputCounts.forEach(
        (id, n) -> {
          if (n > 1) {
            repeated.add(id);
          }
        });
    if (!repeated.isEmpty()) {
      problems.add(repeated.size() + " IDs in the output more than once, e.g. " + sample(repeated));
    }
    if (!foreign.isEmpty()) {
      problems.add(foreign.size() + " output records not from the input, e.g. " + sample(foreign));
    }
    if (deadLettered != expected.malformed()) {
      problems.add(
          "dead-lettered " + deadLettered + ", expected " + expected.malformed() + " malformed");
    }
    if (duplicatesTopic != null && duplicates != expected.duplicates()) {
      problems.add("duplicates topic holds " + duplicates + ", expected " + expected.duplicates());
    }
    return problems;
  }

  private static String sample(Iterable<String> items) {
    List<String> sample = new ArrayList<>();
    for (String item : items) {
      if (sample.size() == 3) {
        break;
      }
      sample.add(item);
    }
    return sample.toString();
  }

  /** {@link System#nanoTime()} when everything expected had arrived, 0 if it never did. */
  public long completedAtNanos() {
    return completedAtNanos;
  }

  public int output() {
    return output;
  }

  public int deadLettered() {
    return deadLettered;
  }

  public int duplicates() {
    return duplicates;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
