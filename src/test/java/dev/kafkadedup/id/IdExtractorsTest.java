package dev.kafkadedup.id;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kafkadedup.id.IdExtractionException.Reason;
import java.util.List;
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
    return IdExtractors.forSource(IdSource.JSON, List.of(pointers), "");
  }

  private static IdExtractor header(String name) {
    return IdExtractors.forSource(IdSource.HEADER, List.of(), name);
  }

  private static IdExtractor of(IdSource source) {
    return IdExtractors.forSource(source, List.of(), "");
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
