package dev.kafkadedup.id;

import static dev.kafkadedup.id.IdExtractionException.Reason.EMPTY_ID;
import static dev.kafkadedup.id.IdExtractionException.Reason.MISSING_HEADER;
import static dev.kafkadedup.id.IdExtractionException.Reason.NULL_KEY;
import static dev.kafkadedup.id.IdExtractionException.Reason.NULL_VALUE;

import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Factories for the configured {@link IdExtractor}. */
public final class IdExtractors {
  /** The most JSON Pointers one composite ID may have (a pass tracks them as bits of a long). */
  public static final int MAX_JSON_POINTERS = Long.SIZE;

  private IdExtractors() {}

  /**
   * The extractor for a source. {@code jsonPointers} and {@code validation} are used by {@link
   * IdSource#JSON}, {@code header} by {@link IdSource#HEADER}; all were validated by the
   * configuration. Every extractor is thread-safe.
   */
  public static IdExtractor forSource(
      IdSource source, List<String> jsonPointers, JsonValidation validation, String header) {
    return switch (source) {
      case KEY -> IdExtractors::key;
      case JSON -> new JsonPointerIdExtractor(jsonPointers, validation);
      case HEADER -> (key, value, headers) -> header(headers, header);
      case VALUE -> IdExtractors::value;
    };
  }

  private static byte[] key(byte[] key, byte[] value, Headers headers)
      throws IdExtractionException {
    if (key == null) {
      throw new IdExtractionException(NULL_KEY, "record key is null and id.source=key");
    }
    return nonEmpty(key, "record key is empty");
  }

  private static byte[] value(byte[] key, byte[] value, Headers headers)
      throws IdExtractionException {
    if (value == null) {
      throw new IdExtractionException(NULL_VALUE, "record value is null and id.source=value");
    }
    return nonEmpty(value, "record value is empty and id.source=value");
  }

  private static byte[] header(Headers headers, String name) throws IdExtractionException {
    Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      throw new IdExtractionException(MISSING_HEADER, "header '" + name + "' is missing");
    }
    return nonEmpty(header.value(), "header '" + name + "' is empty");
  }

  private static byte[] nonEmpty(byte[] id, String message) throws IdExtractionException {
    if (id.length == 0) {
      throw new IdExtractionException(EMPTY_ID, message);
    }
    return id;
  }
}
