package dev.kafkadedup.id;

import static dev.kafkadedup.id.IdExtractionException.Reason.DUPLICATE_FIELD;
import static dev.kafkadedup.id.IdExtractionException.Reason.EMPTY_ID;
import static dev.kafkadedup.id.IdExtractionException.Reason.INVALID_JSON;
import static dev.kafkadedup.id.IdExtractionException.Reason.MISSING_FIELD;
import static dev.kafkadedup.id.IdExtractionException.Reason.NOT_A_SCALAR;
import static dev.kafkadedup.id.IdExtractionException.Reason.NULL_VALUE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.kafkadedup.id.IdExtractionException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/**
 * Reads the ID from one or more fields of a JSON value, addressed by JSON Pointers, in one
 * streaming pass over the value for all pointers together; no tree is built. The parser follows
 * only the paths of the pointers and skips everything else token by token.
 *
 * <p>With {@link JsonValidation#FULL} the pass goes to the end: the value must be a single
 * well-formed UTF-8 JSON document (read constraints bound nesting depth, number, string and key
 * length), or it is {@code INVALID_JSON}. With {@link JsonValidation#ID_ONLY} it stops once every
 * pointer is resolved, so only the bytes up to the last ID field are checked.
 *
 * <p>A field must hold a string, number or boolean; its text is the ID (numbers as written, so
 * {@code 42} and {@code 42.0} differ). A key repeated on a pointer's path (the ID field or one of
 * its parents twice in one object) makes the ID ambiguous: {@code DUPLICATE_FIELD}. With several
 * pointers (a composite ID) each part is length-prefixed, so {@code ["ab","c"]} and {@code
 * ["a","bc"]} stay different IDs.
 *
 * <p>Thread-safe: the state of a pass lives in the call.
 */
final class JsonPointerIdExtractor implements IdExtractor {
  /** Jackson's defaults, pinned: README promises them as what makes a value invalid. */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(1_000)
                  .maxNumberLength(1_000)
                  .maxStringLength(20_000_000)
                  .maxNameLength(50_000)
                  .build())
          .build();

  private final List<String> pointers;

  /** {@code names[p][k]}: segment {@code k} of pointer {@code p} as an object key. */
  private final String[][] names;

  /** {@code indices[p][k]}: the same segment as an array index, or -1. */
  private final int[][] indices;

  private final long all;
  private final boolean stopWhenFound;

  JsonPointerIdExtractor(List<String> pointers, JsonValidation validation) {
    if (pointers.isEmpty() || pointers.size() > IdExtractors.MAX_JSON_POINTERS) {
      throw new IllegalArgumentException(
          "expected 1 to " + IdExtractors.MAX_JSON_POINTERS + " JSON Pointers");
    }
    this.pointers = List.copyOf(pointers);
    this.names = new String[pointers.size()][];
    this.indices = new int[pointers.size()][];
    for (int p = 0; p < pointers.size(); p++) {
      List<String> segmentNames = new ArrayList<>();
      List<Integer> segmentIndices = new ArrayList<>();
      for (JsonPointer segment = JsonPointer.compile(pointers.get(p));
          !segment.matches();
          segment = segment.tail()) {
        segmentNames.add(segment.getMatchingProperty());
        segmentIndices.add(segment.getMatchingIndex());
      }
      names[p] = segmentNames.toArray(String[]::new);
      indices[p] = segmentIndices.stream().mapToInt(Integer::intValue).toArray();
    }
    this.all =
        pointers.size() == IdExtractors.MAX_JSON_POINTERS ? -1L : (1L << pointers.size()) - 1;
    this.stopWhenFound = validation == JsonValidation.ID_ONLY;
  }

  @Override
  public byte[] extract(byte[] key, byte[] value, Headers headers) throws IdExtractionException {
    if (value == null) {
      throw new IdExtractionException(NULL_VALUE, "record value is null and id.source=json");
    }
    if (!mayBeUtf8(value)) {
      throw new IdExtractionException(INVALID_JSON, "value is not UTF-8 JSON");
    }
    Pass pass = new Pass(pointers.size());
    try (JsonParser parser = JSON.createParser(value)) {
      if (parser.nextToken() == null) {
        throw new IdExtractionException(INVALID_JSON, "value is empty, not a JSON document");
      }
      boolean whole = read(parser, 0, all, pass);
      if (whole && parser.nextToken() != null) {
        throw new IdExtractionException(INVALID_JSON, "value has content after the JSON document");
      }
      int parsed = whole ? value.length : (int) parser.currentLocation().getByteOffset();
      if (!Utf8.isWellFormed(value, parsed)) {
        throw new IdExtractionException(INVALID_JSON, "value is not well-formed UTF-8");
      }
    } catch (JsonProcessingException e) {
      throw new IdExtractionException(
          INVALID_JSON, "value is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IdExtractionException(
          INVALID_JSON, "value cannot be read as JSON: " + e.getMessage());
    }
    return pass.id();
  }

  /**
   * Jackson reads a value that starts with a byte order mark or has a zero byte among its first
   * four as UTF-16 or UTF-32; neither can start UTF-8 JSON.
   */
  private static boolean mayBeUtf8(byte[] value) {
    if (value.length > 0 && (value[0] == (byte) 0xFE || value[0] == (byte) 0xFF)) {
      return false;
    }
    for (int i = 0; i < Math.min(4, value.length); i++) {
      if (value[i] == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads the value at the parser's current token, which the pointers in {@code live} (bits) reach
   * with their first {@code level} segments. Returns false as soon as parsing may stop (every
   * pointer resolved and {@code id-only}); otherwise the parser is left on the value's last token.
   */
  private boolean read(JsonParser parser, int level, long live, Pass pass) throws IOException {
    JsonToken token = parser.currentToken();
    long deeper = 0;
    for (long bits = live; bits != 0; bits &= bits - 1) {
      int p = Long.numberOfTrailingZeros(bits);
      if (names[p].length == level) {
        pass.resolve(p, token, parser);
      } else {
        deeper |= 1L << p;
      }
    }
    if (mayStop(pass)) {
      return false;
    }
    if (deeper != 0 && token == JsonToken.START_OBJECT) {
      return readObject(parser, level, deeper, pass);
    }
    if (deeper != 0 && token == JsonToken.START_ARRAY) {
      return readArray(parser, level, deeper, pass);
    }
    // Still tokenizes (and so validates) everything it skips.
    parser.skipChildren();
    return true;
  }

  private boolean readObject(JsonParser parser, int level, long deeper, Pass pass)
      throws IOException {
    long seenHere = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      // Interned by Jackson's symbol table: no String per field.
      String name = parser.currentName();
      long child = 0;
      for (long bits = deeper; bits != 0; bits &= bits - 1) {
        int p = Long.numberOfTrailingZeros(bits);
        if (names[p][level].equals(name)) {
          child |= 1L << p;
        }
      }
      parser.nextToken();
      long repeated = child & seenHere;
      seenHere |= child;
      pass.fail(repeated, DUPLICATE_FIELD);
      child &= ~repeated;
      if (mayStop(pass)) {
        return false;
      }
      if (!readOrSkip(parser, level, child, pass)) {
        return false;
      }
    }
    return true;
  }

  private boolean readArray(JsonParser parser, int level, long deeper, Pass pass)
      throws IOException {
    int index = 0;
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_ARRAY && token != null;
        token = parser.nextToken(), index++) {
      long child = 0;
      for (long bits = deeper; bits != 0; bits &= bits - 1) {
        int p = Long.numberOfTrailingZeros(bits);
        if (indices[p][level] == index) {
          child |= 1L << p;
        }
      }
      if (!readOrSkip(parser, level, child, pass)) {
        return false;
      }
    }
    return true;
  }

  /** Reads the current value for the pointers in {@code child}, or skips it when there are none. */
  private boolean readOrSkip(JsonParser parser, int level, long child, Pass pass)
      throws IOException {
    if (child != 0) {
      return read(parser, level + 1, child, pass);
    }
    parser.skipChildren();
    return true;
  }

  private boolean mayStop(Pass pass) {
    return stopWhenFound && pass.resolved == all;
  }

  /** What one pass found: each pointer's ID part or why it has none. */
  private final class Pass {
    private final byte[][] parts;
    private final Reason[] failures;
    private long resolved;

    Pass(int pointers) {
      parts = new byte[pointers][];
      failures = new Reason[pointers];
    }

    void resolve(int p, JsonToken token, JsonParser parser) throws IOException {
      if (token == JsonToken.VALUE_NULL) {
        failures[p] = MISSING_FIELD;
      } else if (!token.isScalarValue()) {
        failures[p] = NOT_A_SCALAR;
      } else {
        String text = parser.getText();
        if (text.isEmpty()) {
          failures[p] = EMPTY_ID;
        } else if (hasLoneSurrogate(text)) {
          failures[p] = INVALID_JSON;
        }
        parts[p] = text.getBytes(StandardCharsets.UTF_8);
      }
      resolved |= 1L << p;
    }

    void fail(long pointerBits, Reason reason) {
      for (long bits = pointerBits; bits != 0; bits &= bits - 1) {
        failures[Long.numberOfTrailingZeros(bits)] = reason;
      }
      resolved |= pointerBits;
    }

    /** The ID, or the first pointer's failure in configuration order. */
    byte[] id() throws IdExtractionException {
      int bytes = 0;
      for (int p = 0; p < parts.length; p++) {
        Reason failure =
            failures[p] != null ? failures[p] : parts[p] == null ? MISSING_FIELD : null;
        if (failure != null) {
          throw new IdExtractionException(failure, message(pointers.get(p), failure));
        }
        bytes += Integer.BYTES + parts[p].length;
      }
      if (parts.length == 1) {
        return parts[0];
      }
      ByteBuffer composite = ByteBuffer.allocate(bytes);
      for (byte[] part : parts) {
        composite.putInt(part.length).put(part);
      }
      return composite.array();
    }
  }

  /**
   * A {@code \\uD800} escape without its pair is valid JSON grammar but no Unicode text: UTF-8
   * would encode it as {@code ?}, so {@code "a\\uD800"} and {@code "a?"} would be one ID.
   */
  private static boolean hasLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private static String message(String pointer, Reason failure) {
    String field = "JSON field " + pointer;
    return switch (failure) {
      case MISSING_FIELD -> field + " is missing or null";
      case NOT_A_SCALAR -> field + " is not a string, number or boolean";
      case EMPTY_ID -> field + " is empty";
      case INVALID_JSON -> field + " holds an unpaired surrogate escape, not Unicode text";
      case DUPLICATE_FIELD -> field + " is ambiguous: a key on its path occurs twice in one object";
      default -> throw new IllegalArgumentException(failure.name());
    };
  }
}
