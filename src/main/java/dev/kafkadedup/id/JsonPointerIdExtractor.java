package dev.kafkadedup.id;

import static dev.kafkadedup.id.IdExtractionException.Reason.INVALID_JSON;
import static dev.kafkadedup.id.IdExtractionException.Reason.MISSING_FIELD;
import static dev.kafkadedup.id.IdExtractionException.Reason.NOT_A_SCALAR;
import static dev.kafkadedup.id.IdExtractionException.Reason.NULL_VALUE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.JsonPointerBasedFilter;
import com.fasterxml.jackson.core.filter.TokenFilter.Inclusion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/**
 * Reads the ID from one or more fields of a JSON value. The value is streamed only up to the
 * addressed field, never bound to a tree, so large values cost little more than small ones.
 *
 * <p>A field must hold a string, number or boolean; its text is the ID (numbers as written, so
 * {@code 42} and {@code 42.0} differ). With several pointers (a composite ID) each part is
 * length-prefixed, so {@code ["ab","c"]} and {@code ["a","bc"]} stay different IDs.
 */
final class JsonPointerIdExtractor implements IdExtractor {
  private static final JsonFactory JSON = new JsonFactory();

  private final List<JsonPointer> pointers;
  private final ByteArrayOutputStream composite = new ByteArrayOutputStream(64);

  JsonPointerIdExtractor(List<String> pointers) {
    this.pointers = pointers.stream().map(JsonPointer::compile).toList();
  }

  @Override
  public byte[] extract(byte[] key, byte[] value, Headers headers) throws IdExtractionException {
    if (value == null) {
      throw new IdExtractionException(NULL_VALUE, "record value is null and id.source=json");
    }
    if (isBlank(value)) {
      throw new IdExtractionException(INVALID_JSON, "value is empty, not a JSON document");
    }
    if (pointers.size() == 1) {
      return field(value, pointers.get(0));
    }
    composite.reset();
    for (JsonPointer pointer : pointers) {
      byte[] part = field(value, pointer);
      composite.write(part.length >>> 24);
      composite.write(part.length >>> 16);
      composite.write(part.length >>> 8);
      composite.write(part.length);
      composite.write(part, 0, part.length);
    }
    return composite.toByteArray();
  }

  private static boolean isBlank(byte[] value) {
    for (byte b : value) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  private static byte[] field(byte[] value, JsonPointer pointer) throws IdExtractionException {
    try (JsonParser parser =
        new FilteringParserDelegate(
            JSON.createParser(value),
            new JsonPointerBasedFilter(pointer),
            Inclusion.ONLY_INCLUDE_ALL,
            false)) {
      JsonToken token = parser.nextToken();
      if (token == null || token == JsonToken.VALUE_NULL) {
        throw new IdExtractionException(MISSING_FIELD, "JSON field " + pointer + " is missing");
      }
      if (!token.isScalarValue()) {
        throw new IdExtractionException(
            NOT_A_SCALAR, "JSON field " + pointer + " is not a string, number or boolean");
      }
      return IdExtractors.nonEmpty(
          parser.getText().getBytes(StandardCharsets.UTF_8), "JSON field " + pointer + " is empty");
    } catch (JsonProcessingException e) {
      throw new IdExtractionException(
          INVALID_JSON, "value is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IdExtractionException(
          INVALID_JSON, "value cannot be read as JSON: " + e.getMessage());
    }
  }
}
