package dev.kafkadedup.streams;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a write to the output, duplicates or dead-letter topic fails for good (the
 * producer's own retries are over): the instance stops. Each record must land in exactly one topic,
 * so skipping it ({@code RESUME}) would lose it silently, and Kafka Streams' own dead-letter queue
 * would be one more topic that can fail the same way. Failing aborts the open transaction, so no
 * input offset is committed past the record, and a restart after the cause is fixed processes it
 * again. One log line names the topic, the input record and what to change.
 */
public final class FailFastProductionExceptionHandler implements ProductionExceptionHandler {
  private static final Logger LOG =
      LoggerFactory.getLogger(FailFastProductionExceptionHandler.class);

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    LOG.error(
        "Cannot write a record of {} bytes to topic '{}' (processing {}-{} offset {}): {}: {}"
            + " Stopping without committing past it; {}, then restart.",
        bytes(record),
        record.topic(),
        context.topic(),
        context.partition(),
        context.offset(),
        exception.getClass().getSimpleName(),
        sentence(exception.getMessage()),
        remedy(record.topic(), exception));
    return Response.fail();
  }

  @Override
  @SuppressWarnings("rawtypes") // the interface's signature
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception exception,
      SerializationExceptionOrigin origin) {
    // Byte-array serdes do not fail; should a pass-through serde do so, nothing is skipped either.
    LOG.error(
        "Cannot serialize the {} of a record for topic '{}' (processing {}-{} offset {}): {}."
            + " Stopping without committing past it.",
        origin,
        record.topic(),
        context.topic(),
        context.partition(),
        context.offset(),
        exception.toString());
    return Response.fail();
  }

  /** What the operator changes before a restart, for the errors seen in production. */
  static String remedy(String topic, Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      return "raise the producer's max.request.size (kafka.max.request.size) and the"
          + " max.message.bytes of topic '"
          + topic
          + "' above the record's size";
    }
    if (exception instanceof AuthorizationException) {
      return "allow this service's principal to write to topic '" + topic + "'";
    }
    if (exception instanceof UnknownTopicOrPartitionException
        || exception instanceof TimeoutException) {
      return "check that topic '"
          + topic
          + "' exists (create it: this service does not) and that the cluster is reachable";
    }
    return "fix the cause above";
  }

  private static String sentence(String message) {
    return message == null ? "" : message.endsWith(".") ? message : message + ".";
  }

  /** The record's size as the producer counts it, roughly: key, value and headers. */
  private static long bytes(ProducerRecord<byte[], byte[]> record) {
    long bytes = length(record.key()) + length(record.value());
    for (Header header : record.headers()) {
      bytes += header.key().length() + length(header.value());
    }
    return bytes;
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }
}
