package dev.kafkadedup.topology;

import dev.kafkadedup.id.IdExtractionException;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * A record's payload tagged with where it goes next. Lives only between processors of one
 * sub-topology, so it is never serialized.
 */
record Routed(Route route, byte[] payload) {
  enum Route {
    /** First occurrence: to the output topic. */
    UNIQUE,
    /** Repeat inside the window: to the duplicates topic. */
    DUPLICATE,
    /** No usable ID: to the dead-letter topic. */
    DEAD_LETTER,
    /** ID extracted and now the key: on to the repartition topic. */
    KEYED
  }

  /** The record, with headers saying why, routed to the dead-letter topic. */
  static Record<byte[], Routed> deadLetter(
      Record<byte[], byte[]> record, IdExtractionException error, RecordMetadata origin) {
    DedupHeaders.addDeadLetter(record.headers(), error, origin, record.timestamp());
    return record.withValue(new Routed(Route.DEAD_LETTER, record.value()));
  }

  boolean is(Route other) {
    return route == other;
  }
}
