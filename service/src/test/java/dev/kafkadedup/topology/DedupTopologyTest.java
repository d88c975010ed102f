package dev.kafkadedup.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.store.SeenIdStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DedupTopologyTest {
  private static final String IN = "in";
  private static final String OUT = "out";
  private static final String DUPS = "dups";
  private static final String DLQ = "dlq";
  private static final Duration WINDOW = Duration.ofMinutes(10);

  /** A multiple of the window, so window buckets start at T0. */
  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  private static final String INTERNAL_ORIGIN_HEADER = "__dedup.origin";

  @TempDir Path stateDir;
  private TopologyTestDriver driver;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  // ---------------------------------------------------------------- ID sources under test

  /** Each way to take an ID, with records whose ID is {@code id} and whose payload is unique. */
  enum IdCase {
    KEY() {
      @Override
      TestRecord<byte[], byte[]> record(String id, int n, Instant time, Headers headers) {
        return new TestRecord<>(binary(id), binary("payload-" + n), headers, time);
      }
    },
    JSON_REPARTITIONED("id.source", "json", "id.json.pointers", "/id") {
      @Override
      TestRecord<byte[], byte[]> record(String id, int n, Instant time, Headers headers) {
        return new TestRecord<>(binary("key-" + n), json(id, n), headers, time);
      }
    },
    JSON_IN_PLACE("id.source", "json", "id.json.pointers", "/id", "id.repartition", "false") {
      @Override
      TestRecord<byte[], byte[]> record(String id, int n, Instant time, Headers headers) {
        return new TestRecord<>(binary("key-" + n), json(id, n), headers, time);
      }
    },
    HEADER("id.source", "header", "id.header", "event-id") {
      @Override
      TestRecord<byte[], byte[]> record(String id, int n, Instant time, Headers headers) {
        Headers withId = new RecordHeaders(headers.toArray());
        withId.add("event-id", utf8(id));
        return new TestRecord<>(binary("key-" + n), binary("payload-" + n), withId, time);
      }
    },
    VALUE("id.source", "value") {
      @Override
      TestRecord<byte[], byte[]> record(String id, int n, Instant time, Headers headers) {
        return new TestRecord<>(binary("key-" + n), binary(id), headers, time);
      }
    };

    private final String[] settings;

    IdCase(String... settings) {
      this.settings = settings;
    }

    abstract TestRecord<byte[], byte[]> record(String id, int n, Instant time, Headers headers);

    TestRecord<byte[], byte[]> record(String id, int n, Instant time) {
      return record(id, n, time, new RecordHeaders());
    }

    /** This case's settings followed by {@code more}. */
    String[] settings(String... more) {
      String[] all = Arrays.copyOf(settings, settings.length + more.length);
      System.arraycopy(more, 0, all, settings.length, more.length);
      return all;
    }

    private static byte[] json(String id, int n) {
      return utf8("{\"n\":" + n + ",\"id\":\"" + id + "\",\"text\":\"h\u00e9llo \u2713\"}");
    }
  }

  static Stream<Arguments> idCasesAndStores() {
    return Stream.of(IdCase.values())
        .flatMap(c -> Stream.of(arguments(c, "digest"), arguments(c, "raw")));
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(UTF_8);
  }

  /** Text behind two bytes that are not UTF-8, so the bytes themselves are compared. */
  private static byte[] binary(String text) {
    byte[] tail = utf8(text);
    byte[] bytes = new byte[tail.length + 2];
    bytes[0] = 0;
    bytes[1] = (byte) 0xFF;
    System.arraycopy(tail, 0, bytes, 2, tail.length);
    return bytes;
  }

  private static Headers headers(String... namesAndValues) {
    Headers headers = new RecordHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], utf8(namesAndValues[i + 1]));
    }
    return headers;
  }

  private static TestRecord<byte[], byte[]> record(
      byte[] key, byte[] value, Instant time, Headers headers) {
    return new TestRecord<>(key, value, headers, time);
  }

  /** Starts the topology on a minimal configuration plus {@code settings} (key, value, ...). */
  private void start(String... settings) {
    DedupConfig config = config(settings);
    driver = new TopologyTestDriver(DedupTopology.build(config), config.streamsProperties(), T0);
  }

  private DedupConfig config(String... settings) {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", "unused:9092");
    props.put("kafka.state.dir", stateDir.toString());
    props.put("output.topic", OUT);
    props.put("dead.letter.topic", DLQ);
    props.put("window.size", WINDOW.toString());
    for (int i = 0; i < settings.length; i += 2) {
      props.put(settings[i], settings[i + 1]);
    }
    if (!props.containsKey("input.pattern")) {
      props.putIfAbsent("input.topics", IN);
    }
    return DedupConfig.from(props);
  }

  @SafeVarargs
  private void pipe(TestRecord<byte[], byte[]>... records) {
    pipeTo(IN, records);
  }

  @SafeVarargs
  private void pipeTo(String topic, TestRecord<byte[], byte[]>... records) {
    var input =
        driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
    for (TestRecord<byte[], byte[]> record : records) {
      input.pipeInput(record);
    }
  }

  private List<TestRecord<byte[], byte[]>> read(String topic) {
    if (!driver.producedTopicNames().contains(topic)) {
      return List.of();
    }
    return driver
        .createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .readRecordsToList();
  }

  private List<Rec> readRecs(String topic) {
    return read(topic).stream().map(Rec::of).toList();
  }

  @SafeVarargs
  private static List<Rec> recs(TestRecord<byte[], byte[]>... records) {
    List<Rec> recs = new ArrayList<>();
    for (TestRecord<byte[], byte[]> record : records) {
      recs.add(Rec.of(record));
    }
    return recs;
  }

  /** The value of the last header {@code name}, as text, or null. */
  private static String header(TestRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
  }

  /** The headers this service adds, by name, as text. */
  private static Map<String, String> dedupHeaders(TestRecord<byte[], byte[]> record) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : record.headers()) {
      if (h.key().startsWith("dedup.")) {
        headers.put(h.key(), new String(h.value(), UTF_8));
      }
    }
    return headers;
  }

  private static long millis(Instant time) {
    return time.toEpochMilli();
  }

  /**
   * A record as compared: every byte of key, value and headers (printable ASCII as is, every other
   * byte and the backslash escaped, so equal text means equal bytes), header order, and timestamp.
   */
  record Rec(String key, String value, List<String> headers, long timestamp) {
    static Rec of(TestRecord<byte[], byte[]> record) {
      List<String> headers = new ArrayList<>();
      for (Header h : record.headers()) {
        headers.add(h.key() + (h.value() == null ? " (null)" : "=" + text(h.value())));
      }
      return new Rec(text(record.key()), text(record.value()), headers, record.timestamp());
    }

    private static String text(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      StringBuilder text = new StringBuilder();
      for (byte b : bytes) {
        if (b >= 0x20 && b < 0x7F && b != '\\') {
          text.append((char) b);
        } else {
          text.append(String.format("\\x%02X", b & 0xFF));
        }
      }
      return text.toString();
    }

    /** The record as it was before this service added its {@code dedup.*} headers. */
    Rec withoutDedupHeaders() {
      return new Rec(
          key, value, headers.stream().filter(h -> !h.startsWith("dedup.")).toList(), timestamp);
    }
  }

  // ---------------------------------------------------------------- dedup per ID source

  @ParameterizedTest(name = "{0}, id.store={1}")
  @MethodSource("idCasesAndStores")
  void shouldPassFirstOccurrencesAndDropRepeats(IdCase idCase, String store) {
    start(idCase.settings("id.store", store));
    var a1 = idCase.record("A", 1, T0);
    var b2 = idCase.record("B", 2, T0.plusSeconds(1));
    var a3 = idCase.record("A", 3, T0.plusSeconds(2));
    var c4 = idCase.record("C", 4, T0.plusSeconds(3));
    var b5 = idCase.record("B", 5, T0.plusSeconds(4));
    var a6 = idCase.record("A", 6, T0.plusSeconds(5));

    pipe(a1, b2, a3, c4, b5, a6);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(a1, b2, c4));
    assertThat(read(DLQ)).isEmpty();
    assertThat(driver.producedTopicNames()).doesNotContain(DUPS);
  }

  @ParameterizedTest
  @EnumSource(IdCase.class)
  void shouldSendRepeatsToDuplicatesTopicNamingFirstOccurrence(IdCase idCase) {
    start(idCase.settings("duplicates.topic", DUPS));
    var a1 = idCase.record("A", 1, T0, headers("trace", "t-1"));
    var b2 = idCase.record("B", 2, T0.plusSeconds(1));
    var a3 = idCase.record("A", 3, T0.plusSeconds(2), headers("trace", "t-3", "trace", "t-3b"));

    pipe(a1, b2, a3);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(a1, b2));
    List<TestRecord<byte[], byte[]>> duplicates = read(DUPS);
    assertThat(duplicates).hasSize(1);
    TestRecord<byte[], byte[]> duplicate = duplicates.get(0);
    assertThat(Rec.of(duplicate).withoutDedupHeaders()).isEqualTo(Rec.of(a3));
    assertThat(dedupHeaders(duplicate))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                DedupHeaders.FIRST_TOPIC,
                IN,
                DedupHeaders.FIRST_PARTITION,
                "0",
                DedupHeaders.FIRST_OFFSET,
                "0",
                DedupHeaders.FIRST_TIME,
                Long.toString(millis(T0)),
                DedupHeaders.ORIGIN_TOPIC,
                IN,
                DedupHeaders.ORIGIN_PARTITION,
                "0",
                DedupHeaders.ORIGIN_OFFSET,
                "2",
                DedupHeaders.ORIGIN_TIMESTAMP,
                Long.toString(millis(T0.plusSeconds(2)))));
    assertThat(read(DLQ)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(IdCase.class)
  void shouldPreserveRecordsByteForByte(IdCase idCase) {
    start(idCase.settings("duplicates.topic", DUPS));
    Headers userHeaders = new RecordHeaders();
    userHeaders.add("trace", binary("t"));
    userHeaders.add("empty", new byte[0]);
    userHeaders.add("nothing", null);
    userHeaders.add("trace", binary("t-again"));
    var first = idCase.record("A", 1, T0.plusMillis(123), userHeaders);
    var repeat = idCase.record("A", 2, T0.plusMillis(456), userHeaders);

    pipe(first, repeat);

    List<TestRecord<byte[], byte[]>> output = read(OUT);
    assertThat(output).map(Rec::of).containsExactly(Rec.of(first));
    assertThat(output.get(0).key()).isEqualTo(first.key());
    assertThat(output.get(0).value()).isEqualTo(first.value());
    assertThat(output.get(0).headers().toArray()).isEqualTo(first.headers().toArray());
    assertThat(output.get(0).timestamp()).isEqualTo(first.timestamp());
    assertThat(read(DUPS))
        .map(r -> Rec.of(r).withoutDedupHeaders())
        .containsExactly(Rec.of(repeat));
  }

  @ParameterizedTest
  @EnumSource(
      value = IdCase.class,
      names = {"JSON_REPARTITIONED", "JSON_IN_PLACE", "HEADER", "VALUE"})
  void shouldKeepNullAndEmptyKeysWhenIdIsNotTheKey(IdCase idCase) {
    start(idCase.settings("duplicates.topic", DUPS));
    var nullKey = withKey(idCase.record("A", 1, T0), null);
    var emptyKey = withKey(idCase.record("B", 2, T0), new byte[0]);
    var repeatNullKey = withKey(idCase.record("A", 3, T0), null);
    var repeatEmptyKey = withKey(idCase.record("B", 4, T0), new byte[0]);

    pipe(nullKey, emptyKey, repeatNullKey, repeatEmptyKey);

    List<TestRecord<byte[], byte[]>> output = read(OUT);
    assertThat(output).map(Rec::of).containsExactlyElementsOf(recs(nullKey, emptyKey));
    assertThat(output.get(0).key()).isNull();
    assertThat(output.get(1).key()).isEmpty();
    assertThat(read(DUPS))
        .map(r -> Rec.of(r).withoutDedupHeaders())
        .containsExactlyElementsOf(recs(repeatNullKey, repeatEmptyKey));
  }

  private static TestRecord<byte[], byte[]> withKey(TestRecord<byte[], byte[]> record, byte[] key) {
    return new TestRecord<>(key, record.value(), record.headers(), record.getRecordTime());
  }

  @ParameterizedTest
  @EnumSource(IdCase.class)
  void shouldNeverLeakInternalOriginHeader(IdCase idCase) {
    start(idCase.settings("duplicates.topic", DUPS));

    pipe(idCase.record("A", 1, T0), idCase.record("A", 2, T0), idCase.record("B", 3, T0));

    for (String topic : List.of(OUT, DUPS)) {
      assertThat(read(topic))
          .as(topic)
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.headers().headers(INTERNAL_ORIGIN_HEADER)).isEmpty());
    }
  }

  @ParameterizedTest(name = "id.repartition={0}")
  @ValueSource(booleans = {true, false})
  void shouldDeduplicateCompositeIds(boolean repartition) {
    start(
        "id.source",
        "json",
        "id.json.pointers",
        "/order/id,/line",
        "id.repartition",
        Boolean.toString(repartition),
        "duplicates.topic",
        DUPS);
    var abC =
        record(binary("1"), utf8("{\"order\":{\"id\":\"ab\"},\"line\":\"c\"}"), T0, headers());
    var aBc =
        record(binary("2"), utf8("{\"order\":{\"id\":\"a\"},\"line\":\"bc\"}"), T0, headers());
    var abCAgain =
        record(
            binary("3"), utf8("{\"x\":1,\"line\":\"c\",\"order\":{\"id\":\"ab\"}}"), T0, headers());
    var abD =
        record(binary("4"), utf8("{\"order\":{\"id\":\"ab\"},\"line\":\"d\"}"), T0, headers());

    pipe(abC, aBc, abCAgain, abD);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(abC, aBc, abD));
    assertThat(read(DUPS))
        .singleElement()
        .satisfies(d -> assertThat(header(d, "dedup.first.offset")).isEqualTo("0"));
  }

  // ---------------------------------------------------------------- window

  @ParameterizedTest
  @EnumSource(
      value = IdCase.class,
      names = {"KEY", "JSON_REPARTITIONED"})
  void shouldReadmitIdOnceEventTimeWindowHasPassed(IdCase idCase) {
    start(idCase.settings("duplicates.topic", DUPS));
    Instant t = T0.plusSeconds(42);
    var first = idCase.record("A", 0, t);
    var lastInside = idCase.record("A", 1, t.plus(WINDOW).minusMillis(1));
    var atWindow = idCase.record("A", 2, t.plus(WINDOW));
    var insideSecond = idCase.record("A", 3, t.plus(WINDOW).plus(WINDOW).minusMillis(1));
    var afterSecond = idCase.record("A", 4, t.plus(WINDOW).plus(WINDOW));

    pipe(first, lastInside, atWindow, insideSecond, afterSecond);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(first, atWindow, afterSecond));
    assertThat(read(DUPS))
        .extracting(
            d ->
                header(d, DedupHeaders.ORIGIN_OFFSET) + "->" + header(d, DedupHeaders.FIRST_OFFSET))
        .containsExactly("1->0", "3->2");
  }

  @Test
  void shouldRecogniseLateRepeatInsideWindow() {
    start("duplicates.topic", DUPS);
    var a = IdCase.KEY.record("A", 1, T0.plus(Duration.ofMinutes(5)));
    var b = IdCase.KEY.record("B", 2, T0.plus(Duration.ofMinutes(9)));
    var lateA = IdCase.KEY.record("A", 3, T0.plus(Duration.ofMinutes(1)));

    pipe(a, b, lateA);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(a, b));
    assertThat(read(DUPS))
        .map(Rec::of)
        .map(Rec::withoutDedupHeaders)
        .containsExactly(Rec.of(lateA));
  }

  @Test
  void shouldRecogniseLateRepeatWhoseFirstOccurrenceIsInAnOlderBucket() {
    // W = 10 min. A at 12 min, stream time moves to 30 min, then A arrives late at 21 min: it is
    // not older than the window behind stream time (21 > 30 - 10) and is 9 min from the first A,
    // so it is a duplicate.
    start("duplicates.topic", DUPS);
    var a = IdCase.KEY.record("A", 1, T0.plus(Duration.ofMinutes(12)));
    var b = IdCase.KEY.record("B", 2, T0.plus(Duration.ofMinutes(30)));
    var lateA = IdCase.KEY.record("A", 3, T0.plus(Duration.ofMinutes(21)));

    pipe(a, b, lateA);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(a, b));
    assertThat(read(DUPS))
        .map(Rec::of)
        .map(Rec::withoutDedupHeaders)
        .containsExactly(Rec.of(lateA));
  }

  @ParameterizedTest
  @EnumSource(
      value = IdCase.class,
      names = {"KEY", "JSON_REPARTITIONED"})
  void shouldUseWallClockInProcessingTimeMode(IdCase idCase) {
    start(idCase.settings("window.time", "processing", "duplicates.topic", DUPS));
    // record timestamps jump around: only the wall clock counts
    var first = idCase.record("A", 0, T0);
    var lastInside = idCase.record("A", 1, T0.plus(Duration.ofDays(30)));
    var atWindow = idCase.record("A", 2, T0.minus(Duration.ofDays(30)));
    var afterReadmit = idCase.record("A", 3, T0.plus(Duration.ofDays(60)));

    pipe(first);
    driver.advanceWallClockTime(WINDOW.minusMillis(1));
    pipe(lastInside);
    driver.advanceWallClockTime(Duration.ofMillis(1));
    pipe(atWindow, afterReadmit);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(first, atWindow));
    assertThat(read(DUPS))
        .extracting(
            d -> header(d, DedupHeaders.ORIGIN_OFFSET) + "@" + header(d, DedupHeaders.FIRST_TIME))
        .containsExactly("1@" + millis(T0), "3@" + millis(T0.plus(WINDOW)));
  }

  // ---------------------------------------------------------------- duplicates dropped

  @Test
  void shouldDropRepeatsWithoutDuplicatesTopic() {
    start();

    pipe(
        IdCase.KEY.record("A", 1, T0),
        IdCase.KEY.record("A", 2, T0),
        IdCase.KEY.record("A", 3, T0));

    assertThat(read(OUT)).hasSize(1);
    assertThat(driver.producedTopicNames())
        .filteredOn(topic -> !topic.endsWith("-changelog"))
        .containsOnly(OUT);
  }

  // ---------------------------------------------------------------- dead letters

  static Stream<Arguments> recordsWithoutId() {
    Headers trace = headers("trace", "t-1");
    return Stream.of(
        arguments(
            IdCase.JSON_REPARTITIONED,
            record(binary("k"), utf8("{not json"), T0, trace),
            "INVALID_JSON"),
        arguments(
            IdCase.JSON_IN_PLACE,
            record(binary("k"), utf8("{not json"), T0, trace),
            "INVALID_JSON"),
        arguments(
            IdCase.JSON_REPARTITIONED,
            record(binary("k"), utf8("{\"other\":1}"), T0, trace),
            "MISSING_FIELD"),
        arguments(
            IdCase.JSON_IN_PLACE,
            record(binary("k"), utf8("{\"id\":null}"), T0, trace),
            "MISSING_FIELD"),
        arguments(IdCase.KEY, record(null, binary("v"), T0, trace), "NULL_KEY"),
        arguments(IdCase.HEADER, record(binary("k"), binary("v"), T0, trace), "MISSING_HEADER"),
        arguments(IdCase.VALUE, record(binary("k"), null, T0, trace), "NULL_VALUE"));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("recordsWithoutId")
  void shouldSendRecordsWithoutIdToDeadLetters(
      IdCase idCase, TestRecord<byte[], byte[]> bad, String reason) {
    start(idCase.settings("duplicates.topic", DUPS));
    var good = idCase.record("A", 1, T0);
    Instant badTime = T0.plusMillis(777);
    var badLater = new TestRecord<>(bad.key(), bad.value(), bad.headers(), badTime);

    pipe(good, badLater);

    assertThat(readRecs(OUT)).containsExactly(Rec.of(good));
    assertThat(read(DUPS)).isEmpty();
    List<TestRecord<byte[], byte[]>> deadLetters = read(DLQ);
    assertThat(deadLetters).hasSize(1);
    TestRecord<byte[], byte[]> deadLetter = deadLetters.get(0);
    assertThat(Rec.of(deadLetter).withoutDedupHeaders()).isEqualTo(Rec.of(badLater));
    assertThat(dedupHeaders(deadLetter))
        .containsEntry(DedupHeaders.ERROR_REASON, reason)
        .containsEntry(DedupHeaders.ORIGIN_TOPIC, IN)
        .containsEntry(DedupHeaders.ORIGIN_PARTITION, "0")
        .containsEntry(DedupHeaders.ORIGIN_OFFSET, "1")
        .containsEntry(DedupHeaders.ORIGIN_TIMESTAMP, Long.toString(millis(badTime)))
        .containsOnlyKeys(
            DedupHeaders.ERROR_REASON,
            DedupHeaders.ERROR_MESSAGE,
            DedupHeaders.ORIGIN_TOPIC,
            DedupHeaders.ORIGIN_PARTITION,
            DedupHeaders.ORIGIN_OFFSET,
            DedupHeaders.ORIGIN_TIMESTAMP);
    assertThat(header(deadLetter, DedupHeaders.ERROR_MESSAGE)).isNotBlank();
  }

  @Test
  void shouldNotRememberIdsOfDeadLetters() {
    start("id.source", "json", "id.json.pointers", "/id", "duplicates.topic", DUPS);
    var bad = record(binary("k"), utf8("{\"id\":{\"nested\":1}}"), T0, headers());
    var again = record(binary("k"), utf8("{\"id\":{\"nested\":1}}"), T0, headers());

    pipe(bad, again);

    assertThat(read(DLQ))
        .extracting(d -> header(d, DedupHeaders.ERROR_REASON))
        .containsExactly("NOT_A_SCALAR", "NOT_A_SCALAR");
    assertThat(read(OUT)).isEmpty();
    assertThat(read(DUPS)).isEmpty();
  }

  // ---------------------------------------------------------------- tombstones, inputs

  @Test
  void shouldTreatTombstonesLikeAnyRecordWhenIdIsTheKey() {
    start("duplicates.topic", DUPS);
    var k1 = record(binary("k1"), null, T0, headers());
    var k1Again = record(binary("k1"), null, T0.plusSeconds(1), headers());
    var k2 = record(binary("k2"), null, T0.plusSeconds(2), headers());

    pipe(k1, k1Again, k2);

    assertThat(readRecs(OUT)).containsExactlyElementsOf(recs(k1, k2));
    assertThat(read(DUPS))
        .singleElement()
        .satisfies(d -> assertThat(Rec.of(d).withoutDedupHeaders()).isEqualTo(Rec.of(k1Again)));
    assertThat(read(DLQ)).isEmpty();
  }

  @Test
  void shouldDeduplicateAcrossTopicsOfAnInputPattern() {
    start("input.pattern", "in-.*", "duplicates.topic", DUPS);
    var first = IdCase.KEY.record("A", 1, T0);
    var repeat = IdCase.KEY.record("A", 2, T0.plusSeconds(1));

    pipeTo("in-a", first);
    pipeTo("in-b", repeat);

    assertThat(readRecs(OUT)).containsExactly(Rec.of(first));
    assertThat(read(DUPS))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(header(d, DedupHeaders.FIRST_TOPIC)).isEqualTo("in-a");
              assertThat(header(d, DedupHeaders.ORIGIN_TOPIC)).isEqualTo("in-b");
            });
  }

  // ---------------------------------------------------------------- topology shape

  @ParameterizedTest(name = "id.source={0}, id.repartition={1} -> repartition topic: {2}")
  @CsvSource({
    "key,    true,  false",
    "key,    false, false",
    "json,   true,  true",
    "json,   false, false",
    "header, true,  true",
    "value,  true,  true",
    "value,  false, false"
  })
  void shouldDescribeRepartitionTopicOnlyWhenNeeded(
      String source, boolean repartition, boolean expected) {
    Topology topology =
        DedupTopology.build(
            config(
                "id.source",
                source,
                "id.json.pointers",
                "/id",
                "id.header",
                "event-id",
                "id.repartition",
                Boolean.toString(repartition)));

    String description = topology.describe().toString();

    assertThat(description.contains("by-id-repartition")).as(description).isEqualTo(expected);
    assertThat(topology.describe().subtopologies()).hasSize(expected ? 2 : 1);
  }

  /**
   * What an existing deployment's state is bound to: the repartition topic, the store (and so its
   * changelog topic) and the subtopology that holds it, which names the task directories.
   */
  @ParameterizedTest(name = "id.source={0}")
  @CsvSource({"key, 0", "json, 1"})
  void shouldKeepTopicStoreAndTaskNamesOfEarlierReleases(String source, int storeSubtopology) {
    Topology topology = DedupTopology.build(config("id.source", source, "id.json.pointers", "/id"));

    var subtopologies =
        topology.describe().subtopologies().stream()
            .sorted(Comparator.comparingInt(TopologyDescription.Subtopology::id))
            .toList();
    var withStore = subtopologies.get(storeSubtopology);
    assertThat(withStore.id()).isEqualTo(storeSubtopology);
    assertThat(withStore.nodes())
        .filteredOn(node -> node instanceof TopologyDescription.Processor)
        .flatExtracting(node -> ((TopologyDescription.Processor) node).stores())
        .containsExactly(SeenIdStore.NAME);
    if (storeSubtopology == 1) {
      assertThat(topology.describe().toString()).contains("topics: [by-id-repartition]");
    }
  }

  @Test
  void shouldForwardAUniqueRecordThroughSourceDedupAndSinkOnly() {
    Topology topology = DedupTopology.build(config());

    var nodes = topology.describe().subtopologies().iterator().next().nodes();
    assertThat(nodes)
        .extracting(TopologyDescription.Node::name)
        .containsExactlyInAnyOrder("input", "dedup", "output", "dead-letters");
  }
}
