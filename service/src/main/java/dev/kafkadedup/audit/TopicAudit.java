package dev.kafkadedup.audit;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdExtractionException;
import dev.kafkadedup.id.IdExtractor;
import dev.kafkadedup.id.IdExtractors;
import dev.kafkadedup.kafka.KafkaClients;
import dev.kafkadedup.topology.DedupHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Checks a dedup service's output against its input, independently of the service: reads the input
 * topics, the output topic and the dead-letter topic with {@code read_committed}, applies the
 * configured ID extraction, and reports IDs missing from the output, IDs output twice within the
 * window, output records that are no input record, and dead letters that do not match the input
 * records without an ID. Facts are spilled to a scratch RocksDB ({@link AuditStore}), so memory is
 * bounded whatever the topic sizes.
 *
 * <p>Window: an ID may legitimately be output again once its earlier output is a full {@code
 * window.size} older (by record timestamp, which the service keeps); such re-admissions are
 * counted, not reported as problems. With {@code window.time=processing} record timestamps stand in
 * for the service's wall clock.
 *
 * <p>Range: records whose timestamp lies in {@code [from, to)} are audited (the service keeps
 * timestamps, so the same bound selects input, output and dead letters). With a {@code from}, one
 * window before it is read too, so a first occurrence just before the range explains a dropped
 * repeat inside it. Without a {@code to}, each partition is read up to its end at the start of the
 * audit: audit a stopped or caught-up service, or give a {@code to} the service has passed.
 */
public final class TopicAudit {

  private final DedupConfig config;
  private final Instant from;
  private final Instant to;
  private final IdExtractor extractor;
  private final long window;

  /** {@code from} and {@code to} may be null (unbounded). */
  public TopicAudit(DedupConfig config, Instant from, Instant to) {
    this.config = config;
    this.from = from;
    this.to = to;
    this.extractor =
        IdExtractors.forSource(
            config.idSource(),
            config.idJsonPointers(),
            config.idJsonValidation(),
            config.idHeader());
    this.window = config.window().toMillis();
  }

  public AuditReport run() {
    AuditReport report = new AuditReport();
    long fromMs = from == null ? Long.MIN_VALUE : from.toEpochMilli();
    long toMs = to == null ? Long.MAX_VALUE : to.toEpochMilli();
    Instant lookBack = from == null ? null : from.minus(Duration.ofMillis(window));
    try (AuditStore store = new AuditStore();
        KafkaConsumer<byte[], byte[]> consumer = KafkaClients.reader(config, "kafka-dedup-audit")) {
      List<String> inputs = inputTopics(consumer);
      read(
          consumer,
          inputs,
          lookBack,
          record -> {
            if (record.timestamp() >= toMs) {
              return;
            }
            boolean inRange = record.timestamp() >= fromMs;
            report.inputRecords += inRange ? 1 : 0;
            byte[] rawId = idOf(record);
            if (rawId == null) {
              report.malformed += inRange ? 1 : 0;
            } else if (inRange) {
              store.addInputId(IdEncoding.DIGEST.encode(rawId), rawId);
              store.addContent(fingerprint(record));
            } else {
              store.addIdBeforeRange(IdEncoding.DIGEST.encode(rawId), rawId);
            }
          });
      read(
          consumer,
          List.of(config.outputTopic()),
          lookBack,
          record -> {
            if (record.timestamp() >= toMs) {
              return;
            }
            boolean inRange = record.timestamp() >= fromMs;
            byte[] rawId = idOf(record);
            if (inRange) {
              report.outputRecords++;
              if (rawId == null || !store.hasContent(fingerprint(record))) {
                report.foreign.add(coordinates(record));
                return;
              }
            }
            if (rawId != null) {
              store.addOutput(
                  IdEncoding.DIGEST.encode(rawId),
                  rawId,
                  record.timestamp(),
                  record.partition(),
                  record.offset());
            }
          });
      read(
          consumer,
          List.of(config.deadLetterTopic()),
          from,
          record -> {
            if (record.timestamp() < toMs && inputs.contains(originTopic(record.headers()))) {
              report.deadLetters++;
            }
          });
      store.forEachId(facts -> judge(facts, fromMs, report));
    }
    return report;
  }

  private void judge(AuditStore.IdFacts facts, long fromMs, AuditReport report) {
    String id = new String(facts.rawId(), StandardCharsets.UTF_8);
    long[] times = facts.outputTimes();
    if (facts.inInput()) {
      report.uniqueIds++;
      if (times.length == 0 && !facts.beforeRange()) {
        report.missing.add(id);
      }
    }
    boolean repeated = false;
    for (int i = 1; i < times.length; i++) {
      if (times[i] >= fromMs && times[i] - times[i - 1] < window) {
        repeated = true;
      }
    }
    if (repeated) {
      report.repeated.add(id);
    } else if (times.length > 1) {
      report.readmitted++;
    }
  }

  private byte[] idOf(ConsumerRecord<byte[], byte[]> record) {
    try {
      return extractor.extract(record.key(), record.value(), record.headers());
    } catch (IdExtractionException e) {
      return null;
    }
  }

  /** What the service must copy unchanged: key, value, timestamp and headers. */
  private static byte[] fingerprint(ConsumerRecord<byte[], byte[]> record) {
    HashStream128 hash = Hashing.xxh3_128().hashStream();
    hash.putBoolean(record.key() != null).putByteArray(nullToEmpty(record.key()));
    hash.putBoolean(record.value() != null).putByteArray(nullToEmpty(record.value()));
    hash.putLong(record.timestamp());
    for (Header header : record.headers()) {
      hash.putString(header.key()).putByteArray(nullToEmpty(header.value()));
    }
    return hash.get().toByteArray();
  }

  private static byte[] nullToEmpty(byte[] bytes) {
    return bytes == null ? new byte[0] : bytes;
  }

  private static String originTopic(Headers headers) {
    Header origin = headers.lastHeader(DedupHeaders.ORIGIN_TOPIC);
    return origin == null ? null : new String(origin.value(), StandardCharsets.UTF_8);
  }

  private static String coordinates(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  private List<String> inputTopics(KafkaConsumer<byte[], byte[]> consumer) {
    if (config.inputPattern().isEmpty()) {
      return config.inputTopics();
    }
    return consumer.listTopics().keySet().stream()
        .filter(topic -> config.inputPattern().get().matcher(topic).matches())
        .sorted()
        .toList();
  }

  /**
   * Reads every partition of {@code topics} from the first record at or after {@code start} (or the
   * beginning) up to its end as of now (the last stable offset, under read_committed).
   */
  private static void read(
      KafkaConsumer<byte[], byte[]> consumer,
      List<String> topics,
      Instant start,
      Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic '" + topic + "' does not exist");
      }
      infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
    if (start == null) {
      consumer.seekToBeginning(partitions);
    } else {
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(tp -> times.put(tp, start.toEpochMilli()));
      for (Map.Entry<TopicPartition, OffsetAndTimestamp> e :
          consumer.offsetsForTimes(times).entrySet()) {
        consumer.seek(
            e.getKey(), e.getValue() == null ? ends.get(e.getKey()) : e.getValue().offset());
      }
    }
    KafkaClients.readToEnd(consumer, partitions, handler);
    consumer.unsubscribe();
  }
}
