package dev.kafkadedup.id;

import org.apache.kafka.common.header.Headers;

/**
 * Takes the ID of a record: the bytes that decide whether two records are the same. Two records are
 * duplicates when their extracted IDs are byte-for-byte equal (or, with digests, when their 96-bit
 * digests are).
 *
 * <p>Implementations are not thread-safe; Kafka Streams gives each task its own processor and each
 * processor its own extractor.
 */
public interface IdExtractor {

  /**
   * Returns the raw ID of the record, never null or empty.
   *
   * @throws IdExtractionException when the record carries no usable ID (null key, bad JSON, a
   *     missing field or header, an empty ID)
   */
  byte[] extract(byte[] key, byte[] value, Headers headers) throws IdExtractionException;
}
