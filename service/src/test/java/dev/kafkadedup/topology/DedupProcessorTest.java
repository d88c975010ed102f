package dev.kafkadedup.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.config.DedupConfig.WindowTime;
import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdExtractionException;
import dev.kafkadedup.metrics.MetricNames;
import dev.kafkadedup.metrics.RecordCounters;
import dev.kafkadedup.store.SeenIdStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dedup step alone, fed records with chosen coordinates: what TopologyTestDriver cannot do is
 * read an offset twice (an at-least-once replay) or hand the step a by-id record without the origin
 * header.
 */
class DedupProcessorTest {
  private static final String IN = "in";
  private static final String BY_ID = "app-by-id-repartition";
  private static final long T0 = 1_714_564_800_000L;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private MockProcessorContext<byte[], byte[]> context;
  private KeyValueStore<byte[], byte[]> store;
  private long streamTime;

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** A dedup step that keeps duplicates, with the seen-ID store in memory. */
  private DedupProcessor processor(DedupProcessor.Identification identification) {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    config.put(RecordCounters.CONFIG, new RecordCounters(registry));
    context = new MockProcessorContext<>(config);
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SeenIdStore.NAME),
                Serdes.ByteArray(),
                Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    DedupProcessor processor =
        new DedupProcessor(identification, Duration.ofHours(1), WindowTime.EVENT, true);
    processor.init(context);
    return processor;
  }

  /** The ID is the key. */
  private DedupProcessor byKey() {
    return processor(
        DedupProcessor.extracting(
            (key, value, headers) -> {
              if (key == null) {
                throw new IdExtractionException(IdExtractionException.Reason.NULL_KEY, "no key");
              }
              return key;
            },
            IdEncoding.RAW));
  }

  private void process(
      DedupProcessor processor,
      String topic,
      int partition,
      long offset,
      Record<byte[], byte[]> r) {
    context.setRecordMetadata(topic, partition, offset);
    // as Kafka Streams does: stream time is the highest timestamp processed before this record
    context.setCurrentStreamTimeMs(streamTime);
    processor.process(r);
    streamTime = Math.max(streamTime, r.timestamp());
  }

  private static Record<byte[], byte[]> record(String key, String value, long time) {
    return record(key, value, time, new RecordHeaders());
  }

  private static Record<byte[], byte[]> record(
      String key, String value, long time, Headers headers) {
    return new Record<>(
        key == null ? null : key.getBytes(UTF_8), value.getBytes(UTF_8), time, headers);
  }

  private List<String> forwardedTo(String child) {
    return context.forwarded().stream()
        .filter(f -> f.childName().orElseThrow().equals(child))
        .map(f -> new String(f.record().value(), UTF_8))
        .toList();
  }

  private double counted(String meter, String topic) {
    return registry.get(meter).tag(MetricNames.TOPIC, topic).counter().count();
  }

  private static String header(CapturedForward<? extends byte[], ? extends byte[]> f, String name) {
    return new String(f.record().headers().lastHeader(name).value(), UTF_8);
  }

  @Test
  void shouldForwardAReplayOfTheFirstOccurrenceAgainButARepeatElsewhereAsDuplicate() {
    DedupProcessor processor = byKey();

    process(processor, IN, 0, 5, record("id-1", "first", T0));
    // restarted at least once: the same input offset is read again after its ID was stored
    process(processor, IN, 0, 5, record("id-1", "first", T0));
    process(processor, IN, 0, 6, record("id-1", "repeat", T0 + 1));
    process(processor, IN, 1, 5, record("id-1", "same offset, other partition", T0 + 2));

    assertThat(forwardedTo(DedupTopology.OUTPUT)).containsExactly("first", "first");
    assertThat(forwardedTo(DedupTopology.DUPLICATES))
        .containsExactly("repeat", "same offset, other partition");
    assertThat(counted(MetricNames.RECORDS_UNIQUE, IN)).isEqualTo(2);
    assertThat(counted(MetricNames.RECORDS_DUPLICATE, IN)).isEqualTo(2);
  }

  @Test
  void shouldTakeTheByIdRecordAsItsOwnOriginWhenTheOriginHeaderIsMissing() {
    DedupProcessor processor = processor(DedupProcessor.repartitioned());

    process(processor, BY_ID, 2, 7, record("id-1", "unkeyed", T0));
    process(processor, BY_ID, 2, 8, record("id-1", "unkeyed repeat", T0 + 1));

    assertThat(forwardedTo(DedupTopology.OUTPUT)).containsExactly("unkeyed");
    // no origin, so no original key to restore
    assertThat(context.forwarded().get(0).record().key()).isNull();
    CapturedForward<? extends byte[], ? extends byte[]> duplicate = context.forwarded().get(1);
    assertThat(duplicate.childName()).contains(DedupTopology.DUPLICATES);
    assertThat(header(duplicate, DedupHeaders.FIRST_TOPIC)).isEqualTo(BY_ID);
    assertThat(header(duplicate, DedupHeaders.FIRST_PARTITION)).isEqualTo("2");
    assertThat(header(duplicate, DedupHeaders.FIRST_OFFSET)).isEqualTo("7");
    assertThat(header(duplicate, DedupHeaders.ORIGIN_OFFSET)).isEqualTo("8");
    // read from the by-id topic itself, not counted by a keying step: counted here, under it
    assertThat(counted(MetricNames.RECORDS_IN, BY_ID)).isEqualTo(2);
    assertThat(counted(MetricNames.RECORDS_UNIQUE, BY_ID)).isEqualTo(1);
    assertThat(counted(MetricNames.RECORDS_DUPLICATE, BY_ID)).isEqualTo(1);
  }

  @Test
  void shouldRestoreKeyAndCountUnderTheInputTopicFromTheOriginHeader() {
    DedupProcessor processor = processor(DedupProcessor.repartitioned());
    Headers headers = new RecordHeaders();
    headers.add("user", "kept".getBytes(UTF_8));
    new Origin(IN, 3, 40, "user-key".getBytes(UTF_8)).writeTo(headers);

    process(processor, BY_ID, 0, 1, record("id-1", "keyed", T0, headers));

    Record<? extends byte[], ? extends byte[]> out = context.forwarded().get(0).record();
    assertThat(new String(out.key(), UTF_8)).isEqualTo("user-key");
    assertThat(out.headers().lastHeader(Origin.HEADER)).isNull();
    assertThat(out.headers().lastHeader("user")).isNotNull();
    assertThat(counted(MetricNames.RECORDS_UNIQUE, IN)).isEqualTo(1);
    // the keying step counted it in when it read the input
    assertThat(counted(MetricNames.RECORDS_IN, IN)).isZero();
  }

  @Test
  void shouldCountEachRecordUnderItsInputTopic() {
    DedupProcessor processor = byKey();

    process(processor, IN, 0, 0, record("a", "1", T0));
    process(processor, IN, 0, 1, record("a", "2", T0));
    process(processor, IN, 0, 2, record(null, "3", T0));
    process(processor, "other", 0, 0, record("b", "4", T0));
    process(processor, IN, 0, 3, record("c", "5", T0));

    assertThat(counted(MetricNames.RECORDS_IN, IN)).isEqualTo(4);
    assertThat(counted(MetricNames.RECORDS_UNIQUE, IN)).isEqualTo(2);
    assertThat(counted(MetricNames.RECORDS_DUPLICATE, IN)).isEqualTo(1);
    assertThat(counted(MetricNames.RECORDS_DEAD_LETTER, IN)).isEqualTo(1);
    assertThat(counted(MetricNames.RECORDS_IN, "other")).isEqualTo(1);
    assertThat(counted(MetricNames.RECORDS_UNIQUE, "other")).isEqualTo(1);
    assertThat(forwardedTo(DedupTopology.DEAD_LETTERS)).containsExactly("3");
  }
}
