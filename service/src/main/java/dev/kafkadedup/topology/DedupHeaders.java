package dev.kafkadedup.topology;

import dev.kafkadedup.id.IdExtractionException;
import dev.kafkadedup.store.FirstOccurrence;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Names and writers of the headers this service adds to duplicates and dead letters. */
public final class DedupHeaders {
  public static final String ERROR_REASON = "dedup.error.reason";
  public static final String ERROR_MESSAGE = "dedup.error.message";
  public static final String ORIGIN_TOPIC = "dedup.origin.topic";
  public static final String ORIGIN_PARTITION = "dedup.origin.partition";
  public static final String ORIGIN_OFFSET = "dedup.origin.offset";
  public static final String ORIGIN_TIMESTAMP = "dedup.origin.timestamp";
  public static final String FIRST_TOPIC = "dedup.first.topic";
  public static final String FIRST_PARTITION = "dedup.first.partition";
  public static final String FIRST_OFFSET = "dedup.first.offset";
  public static final String FIRST_TIME = "dedup.first.time";

  private DedupHeaders() {}

  static void addDeadLetter(
      Headers headers, IdExtractionException error, RecordMetadata origin, long timestamp) {
    add(headers, ERROR_REASON, error.reason().name());
    add(headers, ERROR_MESSAGE, error.getMessage());
    add(headers, ORIGIN_TOPIC, origin.topic());
    add(headers, ORIGIN_PARTITION, Integer.toString(origin.partition()));
    add(headers, ORIGIN_OFFSET, Long.toString(origin.offset()));
    add(headers, ORIGIN_TIMESTAMP, Long.toString(timestamp));
  }

  static void addDuplicate(Headers headers, FirstOccurrence first, Origin origin, long timestamp) {
    add(headers, FIRST_TOPIC, first.topic());
    add(headers, FIRST_PARTITION, Integer.toString(first.partition()));
    add(headers, FIRST_OFFSET, Long.toString(first.offset()));
    add(headers, FIRST_TIME, Long.toString(first.time()));
    add(headers, ORIGIN_TOPIC, origin.topic());
    add(headers, ORIGIN_PARTITION, Integer.toString(origin.partition()));
    add(headers, ORIGIN_OFFSET, Long.toString(origin.offset()));
    add(headers, ORIGIN_TIMESTAMP, Long.toString(timestamp));
  }

  private static void add(Headers headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
