package dev.kafkadedup.topology;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A seeded generator of hostile records for every ID source at once: each record gets a key, a
 * value and headers drawn independently, so a key-sourced run meets null and empty keys, a
 * header-sourced run missing, null, empty and repeated ID headers, and a JSON run random bytes,
 * truncated and over-deep documents, huge numbers, NULs and invalid UTF-8, repeated keys, IDs of
 * every JSON type, 1 MB values and composite IDs with a part missing. IDs come from a small pool,
 * so valid records repeat and meet the duplicates path too. Every record carries a unique {@link
 * #MARKER} header (not an ID source) to follow it to the one sink it ends in.
 */
public final class HostileRecords {
  /** The header that numbers each record. */
  public static final String MARKER = "fuzz.n";

  /** The header {@code id.source=header} reads. */
  public static final String ID_HEADER = "event-id";

  /** The pointers of the composite-ID runs; the single-pointer runs use the first. */
  public static final String ID_POINTER = "/id";

  public static final String PART_POINTER = "/meta/part";

  private static final ObjectMapper TREE =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final Random random;
  private final int largeValueBytes;
  private int n;

  /** {@code largeValueBytes}: the size of the large values, e.g. 1 MiB. */
  public HostileRecords(long seed, int largeValueBytes) {
    this.random = new Random(seed);
    this.largeValueBytes = largeValueBytes;
  }

  /** One generated record. */
  public record Hostile(int n, byte[] key, byte[] value, Headers headers) {}

  public Hostile next() {
    Headers headers = headers();
    headers.add(MARKER, Integer.toString(n).getBytes(UTF_8));
    return new Hostile(n++, key(), value(), headers);
  }

  /** The marker of a record read back from a sink. */
  public static int marker(Headers headers) {
    Header marker = headers.lastHeader(MARKER);
    return Integer.parseInt(new String(marker.value(), UTF_8));
  }

  /**
   * Whether {@code value} is one strict UTF-8 JSON document, judged without the extractor: a strict
   * decoder, then Jackson's tree model over the text, refusing trailing tokens.
   */
  public static boolean isJsonDocument(byte[] value) {
    String text;
    try {
      text =
          UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value))
              .toString();
    } catch (CharacterCodingException e) {
      return false;
    }
    try {
      return TREE.readTree(text) != null && !text.isBlank();
    } catch (Exception e) {
      return false;
    }
  }

  private String id() {
    return "id-" + random.nextInt(500);
  }

  private byte[] key() {
    return switch (random.nextInt(8)) {
      case 0 -> null;
      case 1 -> new byte[0];
      case 2 -> randomBytes(1 + random.nextInt(40));
      default -> id().getBytes(UTF_8);
    };
  }

  private Headers headers() {
    Headers headers = new RecordHeaders();
    switch (random.nextInt(8)) {
      case 0 -> {}
      case 1 -> headers.add(ID_HEADER, null);
      case 2 -> headers.add(ID_HEADER, new byte[0]);
      case 3 -> headers.add(ID_HEADER, randomBytes(1 + random.nextInt(40)));
      case 4 -> {
        headers.add(ID_HEADER, id().getBytes(UTF_8));
        headers.add(ID_HEADER, random.nextBoolean() ? null : id().getBytes(UTF_8));
      }
      default -> headers.add(ID_HEADER, id().getBytes(UTF_8));
    }
    if (random.nextInt(10) == 0) {
      headers.add("", random.nextBoolean() ? null : new byte[0]);
    }
    return headers;
  }

  private byte[] value() {
    return switch (random.nextInt(20)) {
      case 0 -> null;
      case 1 -> new byte[0];
      case 2 -> " \n\t".substring(random.nextInt(3)).getBytes(UTF_8);
      case 3, 4 -> randomBytes(random.nextInt(200));
      case 5, 6 -> truncated(document());
      case 7 -> deep();
      case 8 -> hugeNumber();
      case 9 -> badStrings();
      case 10 -> repeatedKeys();
      case 11 -> idOfAnyType();
      case 12 -> random.nextInt(50) == 0 ? large() : document();
      case 13 -> trailing();
      case 14 -> spliced();
      default -> document();
    };
  }

  /** A valid event: {@code /id}, sometimes {@code /meta/part}, payload. */
  private byte[] document() {
    return utf8(
        "{\"seq\":"
            + n
            + ",\"id\":\""
            + id()
            + "\""
            + (random.nextInt(4) == 0 ? "" : ",\"meta\":{\"part\":\"p" + random.nextInt(3) + "\"}")
            + ",\"pad\":\""
            + "h\u00e9llo \u2713".repeat(random.nextInt(4))
            + "\"}");
  }

  private byte[] truncated(byte[] document) {
    byte[] cut = new byte[1 + random.nextInt(document.length - 1)];
    System.arraycopy(document, 0, cut, 0, cut.length);
    return cut;
  }

  private byte[] deep() {
    int depth = random.nextBoolean() ? 10_000 : 1 + random.nextInt(600);
    String nested = "[".repeat(depth) + "]".repeat(random.nextInt(5) == 0 ? depth - 1 : depth);
    return utf8(
        random.nextBoolean()
            ? "{\"pad\":" + nested + ",\"id\":\"" + id() + "\"}"
            : "{\"id\":\"" + id() + "\",\"pad\":" + nested + "}");
  }

  private byte[] hugeNumber() {
    String digits = "7".repeat(random.nextBoolean() ? 5_000 : 1 + random.nextInt(1_200));
    String number =
        switch (random.nextInt(3)) {
          case 0 -> digits;
          case 1 -> "-" + digits + ".5";
          default -> "1e" + digits;
        };
    return utf8(
        random.nextBoolean()
            ? "{\"id\":" + number + "}"
            : "{\"id\":\"" + id() + "\",\"n\":" + number + "}");
  }

  private byte[] badStrings() {
    byte[][] bad = {
      {0},
      {(byte) 0xC3, 0x28},
      {(byte) 0xFF},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xC0, (byte) 0x80},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      utf8("\\u0000"),
      utf8("\\ud800"),
    };
    byte[] inner = bad[random.nextInt(bad.length)];
    // in the ID, in a skipped string, in a key
    int where = random.nextInt(3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        utf8(
            switch (where) {
              case 0 -> "{\"id\":\"" + id();
              case 1 -> "{\"id\":\"" + id() + "\",\"s\":\"x";
              default -> "{\"id\":\"" + id() + "\",\"k";
            }));
    out.writeBytes(inner);
    out.writeBytes(utf8(where == 2 ? "\":1}" : "\"}"));
    return out.toByteArray();
  }

  private byte[] repeatedKeys() {
    return utf8(
        switch (random.nextInt(3)) {
          case 0 -> "{\"id\":\"" + id() + "\",\"x\":1,\"id\":\"" + id() + "\"}";
          case 1 -> "{\"meta\":{\"part\":\"a\"},\"id\":\"" + id() + "\",\"meta\":{\"part\":\"b\"}}";
          default -> "{\"x\":1,\"x\":2,\"id\":\"" + id() + "\"}";
        });
  }

  private byte[] idOfAnyType() {
    String[] ids = {
      "42", "-0.0", "4.2e1", "true", "false", "null", "{}", "{\"id\":\"inner\"}", "[\"a\"]", "\"\"",
    };
    return utf8("{\"id\":" + ids[random.nextInt(ids.length)] + ",\"meta\":{\"part\":1}}");
  }

  private byte[] large() {
    String pad = "x".repeat(largeValueBytes - 64);
    byte[] whole = utf8("{\"id\":\"" + id() + "\",\"meta\":{\"part\":0},\"pad\":\"" + pad + "\"}");
    return random.nextBoolean() ? whole : truncated(whole);
  }

  private byte[] trailing() {
    String[] tails = {" {\"id\":\"other\"}", "]", " 1", "x", " \n"};
    return utf8("{\"id\":\"" + id() + "\"}" + tails[random.nextInt(tails.length)]);
  }

  /** A valid document with random bytes written over a random stretch of it. */
  private byte[] spliced() {
    byte[] document = document();
    int from = random.nextInt(document.length);
    int length = Math.min(document.length - from, 1 + random.nextInt(4));
    for (int i = from; i < from + length; i++) {
      document[i] = (byte) random.nextInt(256);
    }
    return document;
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }
}
