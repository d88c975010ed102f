package dev.kafkadedup.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kafkadedup.id.IdEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

/**
 * Checks the chaos run's output with a plain {@code read_committed} consumer, independently of the
 * service and of the audit command: every ID of the input exactly once in the output, as a copy of
 * one of its input records (the earliest, when all its copies are on one input partition), the
 * dead-letter topic exactly the malformed input records, and the order that repartitioning by ID
 * can keep.
 *
 * <p>Order: the service re-keys records by ID and sends them through the {@code by-id} repartition
 * topic, so two first occurrences from the same input partition keep their order only when they
 * also share the by-id partition (the same ID hash bucket) and the output partition. Across by-id
 * partitions they are processed by different tasks and may be reordered; that includes records with
 * the same key but different IDs.
 */
final class ChaosVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One input record of an ID. */
  private record Occurrence(int partition, long offset, byte[] key, long timestamp) {}

  private final String bootstrapServers;
  private final int byIdPartitions;
  private final Map<String, List<Occurrence>> inputById = new HashMap<>();
  private final Set<String> malformed = new HashSet<>();
  private final List<String> problems = new ArrayList<>();
  private long inputRecords;
  private long outputRecords;

  ChaosVerifier(String bootstrapServers, int byIdPartitions) {
    this.bootstrapServers = bootstrapServers;
    this.byIdPartitions = byIdPartitions;
  }

  List<String> verify(String input, String output, String deadLetters) {
    read(input, this::acceptInput);
    Map<String, Integer> outputCounts = new HashMap<>();
    Map<String, Long> lastOffsetByOrderGroup = new HashMap<>();
    read(output, record -> acceptOutput(record, outputCounts, lastOffsetByOrderGroup));
    List<String> missing = new ArrayList<>();
    inputById
        .keySet()
        .forEach(
            id -> {
              if (!outputCounts.containsKey(id)) {
                missing.add(id);
              }
            });
    report(missing.size() + " input IDs missing from the output", missing);
    List<String> repeated = new ArrayList<>();
    outputCounts.forEach(
        (id, n) -> {
          if (n > 1) {
            repeated.add(id + " x" + n);
          }
        });
    report(repeated.size() + " IDs output more than once", repeated);
    Set<String> deadLettered = new HashSet<>();
    read(
        deadLetters,
        record ->
            deadLettered.add(
                header(record, "dedup.origin.partition")
                    + "@"
                    + header(record, "dedup.origin.offset")));
    if (!deadLettered.equals(malformed)) {
      problems.add(
          "dead letters "
              + deadLettered.size()
              + " differ from the "
              + malformed.size()
              + " malformed input records");
    }
    return problems;
  }

  long inputRecords() {
    return inputRecords;
  }

  long uniqueIds() {
    return inputById.size();
  }

  long malformed() {
    return malformed.size();
  }

  long outputRecords() {
    return outputRecords;
  }

  private void acceptInput(ConsumerRecord<byte[], byte[]> record) {
    inputRecords++;
    String id = idOf(record.value());
    if (id == null) {
      malformed.add(record.partition() + "@" + record.offset());
      return;
    }
    inputById
        .computeIfAbsent(id, k -> new ArrayList<>(1))
        .add(new Occurrence(record.partition(), record.offset(), record.key(), record.timestamp()));
  }

  private void acceptOutput(
      ConsumerRecord<byte[], byte[]> record,
      Map<String, Integer> counts,
      Map<String, Long> lastOffsetByOrderGroup) {
    outputRecords++;
    String id = idOf(record.value());
    List<Occurrence> occurrences = id == null ? null : inputById.get(id);
    Occurrence copied =
        occurrences == null
            ? null
            : occurrences.stream()
                .filter(
                    o ->
                        Arrays.equals(o.key(), record.key()) && o.timestamp() == record.timestamp())
                .findFirst()
                .orElse(null);
    if (copied == null) {
      problems.add(
          "output record " + record.partition() + "@" + record.offset() + " is no input record");
      return;
    }
    counts.merge(id, 1, Integer::sum);
    Occurrence first = occurrences.get(0);
    boolean onePartition = occurrences.stream().allMatch(o -> o.partition() == first.partition());
    if (onePartition && copied != first && copied.offset() != first.offset()) {
      problems.add(
          id
              + ": output is the copy at offset "
              + copied.offset()
              + ", not the first occurrence at "
              + first.partition()
              + "@"
              + first.offset());
    }
    String group = copied.partition() + "/" + byIdPartition(id) + "/" + record.partition();
    Long last = lastOffsetByOrderGroup.put(group, copied.offset());
    if (last != null && last > copied.offset()) {
      problems.add(
          "order: input offset "
              + copied.offset()
              + " after "
              + last
              + " in group "
              + group
              + " (input partition / by-id partition / output partition)");
    }
  }

  /** The by-id partition the service's default partitioner picks for the stored ID digest. */
  private int byIdPartition(String id) {
    byte[] digest = IdEncoding.DIGEST.encode(id.getBytes(StandardCharsets.UTF_8));
    return Utils.toPositive(Utils.murmur2(digest)) % byIdPartitions;
  }

  private void report(String summary, List<String> items) {
    if (!items.isEmpty()) {
      problems.add(summary + ", e.g. " + items.subList(0, Math.min(5, items.size())));
    }
  }

  private static String idOf(byte[] value) {
    try {
      JsonNode id = value == null ? null : JSON.readTree(value).get("id");
      return id == null || !id.isTextual() ? null : id.asText();
    } catch (IOException e) {
      return null;
    }
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** Reads a whole topic up to its current end (last stable offset) with read_committed. */
  private void read(String topic, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    CommittedTopics.read(bootstrapServers, topic, handler);
  }
}
