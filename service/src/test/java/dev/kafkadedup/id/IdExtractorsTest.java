package dev.kafkadedup.id;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kafkadedup.id.IdExtractionException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdExtractorsTest {
  private static final Headers NO_HEADERS = new RecordHeaders();

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private static IdExtractor json(String... pointers) {
    return IdExtractors.forSource(IdSource.JSON, List.of(pointers), JsonValidation.FULL, "");
  }

  private static IdExtractor jsonIdOnly(String... pointers) {
    return IdExtractors.forSource(IdSource.JSON, List.of(pointers), JsonValidation.ID_ONLY, "");
  }

  private static IdExtractor header(String name) {
    return IdExtractors.forSource(IdSource.HEADER, List.of(), JsonValidation.FULL, name);
  }

  private static IdExtractor of(IdSource source) {
    return IdExtractors.forSource(source, List.of(), JsonValidation.FULL, "");
  }

  /** The ID a JSON value yields, as text. */
  private static String jsonId(String value, String... pointers) throws IdExtractionException {
    return new String(json(pointers).extract(null, bytes(value), NO_HEADERS), UTF_8);
  }

  /** Asserts that extraction fails for {@code reason}; returns the failure's message. */
  private static AbstractStringAssert<?> assertFailsWith(
      Reason reason, IdExtractor extractor, byte[] key, byte[] value, Headers headers) {
    IdExtractionException failure =
        catchThrowableOfType(
            IdExtractionException.class, () -> extractor.extract(key, value, headers));
    assertThat(failure).as("extraction should fail with " + reason).isNotNull();
    assertThat(failure.reason()).as("reason (%s)", failure.getMessage()).isEqualTo(reason);
    return assertThat(failure.getMessage());
  }

  private static AbstractStringAssert<?> assertJsonFailsWith(
      Reason reason, String value, String... pointers) {
    return assertFailsWith(reason, json(pointers), null, bytes(value), NO_HEADERS);
  }

  @Nested
  class KeySource {
    @Test
    void shouldReturnKeyBytesUnchanged() throws IdExtractionException {
      byte[] key = {0, 1, (byte) 0xFF, 42};

      assertThat(of(IdSource.KEY).extract(key, bytes("v"), NO_HEADERS)).isEqualTo(key);
    }

    @Test
    void shouldIgnoreValueAndHeadersForKeySource() throws IdExtractionException {
      assertThat(of(IdSource.KEY).extract(bytes("k"), null, NO_HEADERS)).isEqualTo(bytes("k"));
    }

    @Test
    void shouldRejectNullKey() {
      assertFailsWith(Reason.NULL_KEY, of(IdSource.KEY), null, bytes("v"), NO_HEADERS)
          .contains("null");
    }

    @Test
    void shouldRejectEmptyKey() {
      assertFailsWith(Reason.EMPTY_ID, of(IdSource.KEY), new byte[0], bytes("v"), NO_HEADERS);
    }
  }

  @Nested
  class JsonSource {
    @Test
    void shouldExtractStringField() throws IdExtractionException {
      assertThat(jsonId("{\"id\":\"order-1\",\"x\":1}", "/id")).isEqualTo("order-1");
    }

    @Test
    void shouldExtractNumberFieldAsWritten() throws IdExtractionException {
      assertThat(jsonId("{\"id\":42}", "/id")).isEqualTo("42");
      assertThat(jsonId("{\"id\":42.0}", "/id")).isEqualTo("42.0");
    }

    @Test
    void shouldGiveOneIdForEscapedAndLiteralText() throws IdExtractionException {
      assertThat(jsonId("{\"id\":\"\\u00e9\\/\"}", "/id"))
          .isEqualTo(jsonId("{\"id\":\"\u00e9/\"}", "/id"))
          .isEqualTo("\u00e9/");
    }

    @Test
    void shouldExtractBooleanField() throws IdExtractionException {
      assertThat(jsonId("{\"id\":true}", "/id")).isEqualTo("true");
    }

    @Test
    void shouldExtractNestedField() throws IdExtractionException {
      assertThat(jsonId("{\"a\":{\"x\":\"no\",\"b\":\"yes\"},\"b\":\"top\"}", "/a/b"))
          .isEqualTo("yes");
    }

    @Test
    void shouldExtractArrayElement() throws IdExtractionException {
      assertThat(jsonId("{\"items\":[\"first\",\"second\"]}", "/items/0")).isEqualTo("first");
      assertThat(jsonId("{\"items\":[\"first\",\"second\"]}", "/items/1")).isEqualTo("second");
    }

    @Test
    void shouldExtractFieldAfterLargeSiblings() throws IdExtractionException {
      String big = "x".repeat(100_000);
      assertThat(jsonId("{\"pad\":{\"deep\":[\"" + big + "\"]},\"id\":\"late\"}", "/id"))
          .isEqualTo("late");
    }

    @Test
    void shouldGiveSameIdForSameFieldWhateverTheRestOfTheValue() throws IdExtractionException {
      assertThat(jsonId("{\"id\":\"a\",\"n\":1}", "/id"))
          .isEqualTo(jsonId("{\"n\":2,\"id\":\"a\"}", "/id"));
    }

    @Test
    void shouldLengthPrefixCompositeParts() throws IdExtractionException {
      IdExtractor extractor = json("/a", "/b");

      byte[] abC = extractor.extract(null, bytes("{\"a\":\"ab\",\"b\":\"c\"}"), NO_HEADERS);
      byte[] aBc = extractor.extract(null, bytes("{\"a\":\"a\",\"b\":\"bc\"}"), NO_HEADERS);

      assertThat(abC).isNotEqualTo(aBc);
      assertThat(abC).isEqualTo(new byte[] {0, 0, 0, 2, 'a', 'b', 0, 0, 0, 1, 'c'});
    }

    @Test
    void shouldGiveEqualCompositeIdsForEqualParts() throws IdExtractionException {
      IdExtractor extractor = json("/order/id", "/line");

      byte[] first =
          extractor.extract(null, bytes("{\"order\":{\"id\":7},\"line\":2,\"x\":1}"), NO_HEADERS);
      byte[] second =
          extractor.extract(null, bytes("{\"line\":2,\"order\":{\"id\":7},\"x\":9}"), NO_HEADERS);

      assertThat(first).isEqualTo(second);
    }

    @Test
    void shouldNotReuseCompositeBufferAcrossCalls() throws IdExtractionException {
      IdExtractor extractor = json("/a", "/b");

      byte[] first = extractor.extract(null, bytes("{\"a\":\"1\",\"b\":\"2\"}"), NO_HEADERS);
      byte[] copy = first.clone();
      extractor.extract(null, bytes("{\"a\":\"3\",\"b\":\"4\"}"), NO_HEADERS);

      assertThat(first).isEqualTo(copy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"id\":", "{\"other\":1", "{id:1}", "[1,"})
    void shouldRejectInvalidJson(String value) {
      assertJsonFailsWith(Reason.INVALID_JSON, value, "/id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n"})
    void shouldRejectEmptyValueAsInvalidJson(String value) {
      // an empty document is not JSON; "field /id is missing" would misdirect the reader of the
      // dead letter
      assertJsonFailsWith(Reason.INVALID_JSON, value, "/id");
    }

    @Test
    void shouldRejectMissingField() {
      assertJsonFailsWith(Reason.MISSING_FIELD, "{\"other\":\"x\"}", "/id").contains("/id");
    }

    @Test
    void shouldRejectJsonNullField() {
      assertJsonFailsWith(Reason.MISSING_FIELD, "{\"id\":null}", "/id");
    }

    @Test
    void shouldRejectMissingArrayElement() {
      assertJsonFailsWith(Reason.MISSING_FIELD, "{\"items\":[]}", "/items/0");
    }

    @Test
    void shouldRejectMissingPartOfComposite() {
      assertJsonFailsWith(Reason.MISSING_FIELD, "{\"a\":\"x\"}", "/a", "/b").contains("/b");
    }

    @Test
    void shouldRejectObjectField() {
      assertJsonFailsWith(Reason.NOT_A_SCALAR, "{\"id\":{\"inner\":1}}", "/id");
    }

    @Test
    void shouldRejectArrayField() {
      assertJsonFailsWith(Reason.NOT_A_SCALAR, "{\"id\":[1,2]}", "/id");
    }

    @Test
    void shouldRejectEmptyStringField() {
      assertJsonFailsWith(Reason.EMPTY_ID, "{\"id\":\"\"}", "/id");
    }

    @Test
    void shouldRejectNullValue() {
      assertFailsWith(Reason.NULL_VALUE, json("/id"), bytes("k"), null, NO_HEADERS);
    }
  }

  @Nested
  class JsonValidity {
    private static final String TRUNCATED_AFTER_ID =
        "{\"id\": \"m52\", \"seq\": 52, \"pad\": \"NqVwYS81";

    private static String nested(int depth) {
      return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void shouldRejectValueTruncatedAfterTheId() {
      assertJsonFailsWith(Reason.INVALID_JSON, TRUNCATED_AFTER_ID, "/id");
    }

    @Test
    void shouldAcceptValueTruncatedAfterTheIdWhenIdOnly() throws IdExtractionException {
      assertThat(jsonIdOnly("/id").extract(null, bytes(TRUNCATED_AFTER_ID), NO_HEADERS))
          .isEqualTo(bytes("m52"));
    }

    @Test
    void shouldRejectValueTruncatedBeforeTheIdEvenWhenIdOnly() {
      assertFailsWith(
          Reason.INVALID_JSON,
          jsonIdOnly("/id"),
          null,
          bytes("{\"seq\": 52, \"id\": \"m5"),
          NO_HEADERS);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"id\":\"a\"} {\"id\":\"b\"}",
          "{\"id\":\"a\"}]",
          "{\"id\":\"a\"} 1",
          "{\"id\":\"a\"}x"
        })
    void shouldRejectContentAfterTheDocument(String value) {
      assertJsonFailsWith(Reason.INVALID_JSON, value, "/id");
    }

    @Test
    void shouldAcceptWhitespaceAfterTheDocument() throws IdExtractionException {
      assertThat(jsonId("{\"id\":\"a\"} \\n\\t\\r ".translateEscapes(), "/id")).isEqualTo("a");
    }

    @Test
    void shouldRejectRepeatedIdKey() {
      assertJsonFailsWith(Reason.DUPLICATE_FIELD, "{\"id\":\"a\",\"x\":1,\"id\":\"b\"}", "/id")
          .contains("/id");
      assertJsonFailsWith(Reason.DUPLICATE_FIELD, "{\"id\":\"a\",\"id\":\"a\"}", "/id");
    }

    @Test
    void shouldRejectRepeatedKeyOnTheIdPath() {
      assertJsonFailsWith(
          Reason.DUPLICATE_FIELD, "{\"order\":{\"id\":1},\"order\":{\"x\":2}}", "/order/id");
    }

    @Test
    void shouldAcceptRepeatedKeysOffTheIdPath() throws IdExtractionException {
      assertThat(jsonId("{\"x\":1,\"x\":2,\"o\":{\"id\":3,\"id\":4},\"id\":\"a\"}", "/id"))
          .isEqualTo("a");
    }

    @Test
    void shouldRejectOverDeepNestingBeforeOrAfterTheId() {
      assertJsonFailsWith(
          Reason.INVALID_JSON, "{\"pad\":" + nested(10_000) + ",\"id\":\"a\"}", "/id");
      assertJsonFailsWith(
          Reason.INVALID_JSON, "{\"id\":\"a\",\"pad\":" + nested(10_000) + "}", "/id");
    }

    @Test
    void shouldAcceptNestingUpToAThousandLevels() throws IdExtractionException {
      // the root object is the first level
      assertThat(jsonId("{\"pad\":" + nested(999) + ",\"id\":\"a\"}", "/id")).isEqualTo("a");
      assertJsonFailsWith(
          Reason.INVALID_JSON, "{\"pad\":" + nested(1_000) + ",\"id\":\"a\"}", "/id");
    }

    @Test
    void shouldRejectHugeNumbersAnywhere() {
      String huge = "9".repeat(5_000);
      assertJsonFailsWith(Reason.INVALID_JSON, "{\"id\":\"a\",\"n\":" + huge + "}", "/id");
      assertJsonFailsWith(Reason.INVALID_JSON, "{\"id\":" + huge + "}", "/id");
      assertJsonFailsWith(Reason.INVALID_JSON, "{\"id\":\"a\",\"n\":1e" + huge + "}", "/id");
    }

    @Test
    void shouldRejectInvalidUtf8InSkippedStringsAndNames() {
      byte[][] invalid = {
        {(byte) 0xC3, 0x28},
        {(byte) 0xFF},
        {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xC0, (byte) 0x80},
        {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}
      };
      for (byte[] bad : invalid) {
        assertFailsWith(
            Reason.INVALID_JSON,
            json("/id"),
            null,
            concat("{\"id\":\"a\",\"s\":\"", bad, "\"}"),
            NO_HEADERS);
        assertFailsWith(
            Reason.INVALID_JSON,
            json("/id"),
            null,
            concat("{\"id\":\"a\",\"", bad, "\":1}"),
            NO_HEADERS);
        assertFailsWith(
            Reason.INVALID_JSON, json("/id"), null, concat("{\"id\":\"", bad, "\"}"), NO_HEADERS);
      }
    }

    @Test
    void shouldRejectRawControlCharacterInStrings() {
      assertJsonFailsWith(Reason.INVALID_JSON, "{\"id\":\"a\",\"s\":\"x\u0000y\"}", "/id");
    }

    @Test
    void shouldKeepEscapedNulInTheId() throws IdExtractionException {
      assertThat(jsonId("{\"id\":\"a\\u0000b\"}", "/id")).isEqualTo("a\u0000b");
    }

    @Test
    void shouldRejectUnpairedSurrogateInTheIdButKeepPairs() throws IdExtractionException {
      // UTF-8 would turn the lone half into '?', making it the ID "a?"
      assertJsonFailsWith(Reason.INVALID_JSON, "{\"id\":\"a\\ud800\"}", "/id")
          .contains("surrogate");
      assertThat(jsonId("{\"id\":\"a\\ud83d\\ude00\"}", "/id")).isEqualTo("a\ud83d\ude00");
    }

    @Test
    void shouldRejectUtf16Json() {
      assertFailsWith(
          Reason.INVALID_JSON,
          json("/id"),
          null,
          "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_16BE),
          NO_HEADERS);
      assertFailsWith(
          Reason.INVALID_JSON,
          json("/id"),
          null,
          "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_16LE),
          NO_HEADERS);
    }

    @Test
    void shouldGiveMissingFieldForScalarOrArrayRoot() {
      assertJsonFailsWith(Reason.MISSING_FIELD, "\"just a string\"", "/id");
      assertJsonFailsWith(Reason.MISSING_FIELD, "[1,2]", "/id");
    }

    @Test
    void shouldReadLargeValues() throws IdExtractionException {
      String pad = "x".repeat(1 << 20);
      assertThat(
              jsonId("{\"pad\":\"" + pad + "\",\"id\":\"late\",\"more\":[\"" + pad + "\"]}", "/id"))
          .isEqualTo("late");
    }

    @Test
    void shouldStopAtTheLastIdFieldWhenIdOnly() throws IdExtractionException {
      IdExtractor extractor = jsonIdOnly("/b", "/a");
      byte[] id = extractor.extract(null, bytes("{\"a\":\"1\",\"b\":\"2\",\"c\":[tru"), NO_HEADERS);
      assertThat(id).isEqualTo(new byte[] {0, 0, 0, 1, '2', 0, 0, 0, 1, '1'});
      assertFailsWith(
          Reason.INVALID_JSON,
          extractor,
          null,
          bytes("{\"a\":\"1\",\"c\":[tru,\"b\":\"2\"}"),
          NO_HEADERS);
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
      byte[] h = bytes(head);
      byte[] t = bytes(tail);
      byte[] all = new byte[h.length + middle.length + t.length];
      System.arraycopy(h, 0, all, 0, h.length);
      System.arraycopy(middle, 0, all, h.length, middle.length);
      System.arraycopy(t, 0, all, h.length + middle.length, t.length);
      return all;
    }
  }

  @Nested
  class CompositeIds {
    @Test
    void shouldKeepPartBoundaries() throws IdExtractionException {
      IdExtractor extractor = json("/a", "/b");
      assertThat(extractor.extract(null, bytes("{\"a\":\"ab\",\"b\":\"c\"}"), NO_HEADERS))
          .isNotEqualTo(extractor.extract(null, bytes("{\"a\":\"a\",\"b\":\"bc\"}"), NO_HEADERS));
    }

    @Test
    void shouldRejectEmptyOrMissingPart() {
      assertJsonFailsWith(Reason.EMPTY_ID, "{\"a\":\"abc\",\"b\":\"\"}", "/a", "/b").contains("/b");
      assertJsonFailsWith(Reason.EMPTY_ID, "{\"a\":\"\",\"b\":\"abc\"}", "/a", "/b").contains("/a");
      assertJsonFailsWith(Reason.MISSING_FIELD, "{\"a\":\"abc\"}", "/a", "/b").contains("/b");
      assertJsonFailsWith(Reason.MISSING_FIELD, "{\"a\":\"abc\",\"b\":null}", "/a", "/b");
    }

    /**
     * Injectivity over many tuples whose parts hold the encoding's own length bytes (escaped NULs
     * and control characters), so a concatenation could masquerade as a prefix.
     */
    @Test
    void shouldGiveDistinctIdsForDistinctTuples() throws IdExtractionException {
      long seed = Long.getLong("composite.seed", System.nanoTime());
      System.out.println("CompositeIds seed " + seed + " (-Dcomposite.seed=" + seed + ")");
      Random random = new Random(seed);
      String[] alphabet = {"a", "b", "\\u0000", "\\u0001", "\\u0003", "1", "é"};
      IdExtractor extractor = json("/p/0", "/q", "/r");
      Map<String, List<String>> tupleById = new HashMap<>();
      for (int n = 0; n < 50_000; n++) {
        List<String> parts = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
          StringBuilder part = new StringBuilder();
          int length = 1 + random.nextInt(5);
          for (int i = 0; i < length; i++) {
            part.append(alphabet[random.nextInt(alphabet.length)]);
          }
          parts.add(part.toString());
        }
        String value =
            "{\"r\":\""
                + parts.get(2)
                + "\",\"p\":[\""
                + parts.get(0)
                + "\"],\"q\":\""
                + parts.get(1)
                + "\"}";
        byte[] id = extractor.extract(null, bytes(value), NO_HEADERS);
        List<String> earlier = tupleById.putIfAbsent(HexFormat.of().formatHex(id), parts);
        if (earlier != null) {
          assertThat(parts).as("seed %d: the ID of %s", seed, earlier).isEqualTo(earlier);
        }
      }
    }
  }

  @Nested
  class HeaderSource {
    @Test
    void shouldUseLastHeaderWithTheName() throws IdExtractionException {
      Headers headers = new RecordHeaders();
      headers.add("id", bytes("first"));
      headers.add("other", bytes("x"));
      headers.add("id", bytes("last"));

      assertThat(header("id").extract(bytes("k"), bytes("v"), headers)).isEqualTo(bytes("last"));
    }

    @Test
    void shouldRejectMissingHeader() {
      Headers headers = new RecordHeaders();
      headers.add("other", bytes("x"));

      assertFailsWith(Reason.MISSING_HEADER, header("id"), bytes("k"), bytes("v"), headers)
          .contains("'id'");
    }

    @Test
    void shouldRejectHeaderWithNullValue() {
      Headers headers = new RecordHeaders();
      headers.add("id", null);

      assertFailsWith(Reason.MISSING_HEADER, header("id"), bytes("k"), bytes("v"), headers);
    }

    @Test
    void shouldRejectEmptyHeader() {
      Headers headers = new RecordHeaders();
      headers.add("id", new byte[0]);

      assertFailsWith(Reason.EMPTY_ID, header("id"), bytes("k"), bytes("v"), headers);
    }
  }

  @Nested
  class WholeValueSource {
    @Test
    void shouldReturnWholeValue() throws IdExtractionException {
      byte[] value = {9, 8, 7, 0, (byte) 0x80};

      assertThat(of(IdSource.VALUE).extract(null, value, NO_HEADERS)).isEqualTo(value);
    }

    @Test
    void shouldRejectNullValue() {
      assertFailsWith(Reason.NULL_VALUE, of(IdSource.VALUE), bytes("k"), null, NO_HEADERS);
    }

    @Test
    void shouldRejectEmptyValue() {
      assertFailsWith(Reason.EMPTY_ID, of(IdSource.VALUE), bytes("k"), new byte[0], NO_HEADERS);
    }
  }

  @Nested
  class Encoding {
    @Test
    void shouldDigestToSixteenBytes() {
      assertThat(IdEncoding.DIGEST.encode(bytes("a"))).hasSize(IdEncoding.DIGEST_BYTES);
      assertThat(IdEncoding.DIGEST.encode(bytes("x".repeat(10_000))))
          .hasSize(IdEncoding.DIGEST_BYTES);
    }

    @Test
    void shouldDigestEqualInputsEqually() {
      assertThat(IdEncoding.DIGEST.encode(bytes("order-1")))
          .isEqualTo(IdEncoding.DIGEST.encode(bytes("order-1")));
    }

    @Test
    void shouldDigestDifferentInputsDifferently() {
      assertThat(IdEncoding.DIGEST.encode(bytes("order-1")))
          .isNotEqualTo(IdEncoding.DIGEST.encode(bytes("order-2")))
          .isNotEqualTo(bytes("order-1"));
    }

    @Test
    void shouldKeepRawIdAsIs() {
      byte[] id = bytes("order-1");

      assertThat(IdEncoding.RAW.encode(id)).isSameAs(id);
    }

    @Test
    void shouldUseLowerCaseConfigValues() {
      assertThat(IdEncoding.DIGEST.configValue()).isEqualTo("digest");
      assertThat(IdSource.JSON.configValue()).isEqualTo("json");
    }
  }
}
