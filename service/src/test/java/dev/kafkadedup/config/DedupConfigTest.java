package dev.kafkadedup.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kafkadedup.config.DedupConfig.LogFormat;
import dev.kafkadedup.config.DedupConfig.WindowTime;
import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdSource;
import dev.kafkadedup.id.JsonValidation;
import dev.kafkadedup.store.BoundedMemoryRocksDbConfig;
import dev.kafkadedup.streams.FailFastProductionExceptionHandler;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DedupConfigTest {

  /** The smallest valid configuration. */
  private static Map<String, String> minimal() {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", "broker:9092");
    props.put("input.topics", "in");
    props.put("output.topic", "out");
    props.put("dead.letter.topic", "dlq");
    return props;
  }

  /** The minimal configuration with {@code keyValues} (key, value, key, value...) set on top. */
  private static Map<String, String> with(String... keyValues) {
    Map<String, String> props = minimal();
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return props;
  }

  private static Map<String, String> without(String key) {
    Map<String, String> props = minimal();
    props.remove(key);
    return props;
  }

  private static DedupConfig config(String... keyValues) {
    return DedupConfig.from(with(keyValues));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(
      Map<String, String> props) {
    return assertThatThrownBy(() -> DedupConfig.from(props)).isInstanceOf(ConfigException.class);
  }

  @Test
  void shouldApplyDefaults() {
    DedupConfig config = config();

    assertThat(config.inputTopics()).containsExactly("in");
    assertThat(config.inputPattern()).isEmpty();
    assertThat(config.outputTopic()).isEqualTo("out");
    assertThat(config.deadLetterTopic()).isEqualTo("dlq");
    assertThat(config.duplicatesTopic()).isEmpty();
    assertThat(config.idSource()).isEqualTo(IdSource.KEY);
    assertThat(config.idJsonPointers()).isEmpty();
    assertThat(config.idHeader()).isEmpty();
    assertThat(config.idEncoding()).isEqualTo(IdEncoding.DIGEST);
    assertThat(config.repartitionById()).isFalse();
    assertThat(config.window()).isEqualTo(Duration.ofHours(24));
    assertThat(config.windowTime()).isEqualTo(WindowTime.EVENT);
    assertThat(config.instanceId()).isEmpty();
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.leaveGroupOnShutdown()).isFalse();
    assertThat(config.exactlyOnce()).isTrue();
    assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void shouldTakeJsonLogsAndRejectOtherFormats() {
    assertThat(config("log.format", "json").logFormat()).isEqualTo(LogFormat.JSON);
    assertRejected(with("log.format", "logfmt"))
        .hasMessageContaining("log.format")
        .hasMessageContaining("logfmt")
        .hasMessageContaining("TEXT, JSON");
  }

  @Test
  void shouldApplyStreamsDefaults() {
    Properties streams = config().streamsProperties();

    assertThat(streams)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "kafka-dedup")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .containsEntry(
            StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName())
        .containsEntry(
            StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName())
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
  }

  @Test
  void shouldReadEverySetting() {
    DedupConfig config =
        config(
            "input.topics", "a, b",
            "duplicates.topic", "dups",
            "id.source", "json",
            "id.json.pointers", "/order/id,/line",
            "id.store", "raw",
            "window.size", "P7D",
            "window.time", "processing",
            "shutdown.timeout", "PT5S",
            "shutdown.leave.group", "true");

    assertThat(config.inputTopics()).containsExactly("a", "b");
    assertThat(config.duplicatesTopic()).contains("dups");
    assertThat(config.idSource()).isEqualTo(IdSource.JSON);
    assertThat(config.idJsonPointers()).containsExactly("/order/id", "/line");
    assertThat(config.idEncoding()).isEqualTo(IdEncoding.RAW);
    assertThat(config.repartitionById()).isTrue();
    assertThat(config.window()).isEqualTo(Duration.ofDays(7));
    assertThat(config.windowTime()).isEqualTo(WindowTime.PROCESSING);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.leaveGroupOnShutdown()).isTrue();
  }

  @Test
  void shouldAcceptInputPatternInsteadOfTopics() {
    Map<String, String> props = without("input.topics");
    props.put("input.pattern", "orders-.*");

    DedupConfig config = DedupConfig.from(props);

    assertThat(config.inputTopics()).isEmpty();
    assertThat(config.inputPattern())
        .hasValueSatisfying(p -> assertThat(p.pattern()).isEqualTo("orders-.*"));
  }

  @Test
  void shouldRepartitionOnlyWhenIdIsNotTheKeyAndRepartitionIsOn() {
    assertThat(config("id.source", "key", "id.repartition", "true").repartitionById()).isFalse();
    assertThat(config("id.source", "value").repartitionById()).isTrue();
    assertThat(config("id.source", "header", "id.header", "h").repartitionById()).isTrue();
    assertThat(config("id.source", "value", "id.repartition", "false").repartitionById()).isFalse();
  }

  @Test
  void shouldRejectUnknownKeyNamingTheKeyButNeverItsValue() {
    // the JAAS config without its kafka. prefix: the password must not reach the error message
    String secret = "pw-" + Long.toHexString(new java.util.Random().nextLong());
    assertRejected(
            with("sasl.jaas.config", "ScramLoginModule required password=\"" + secret + "\";"))
        .hasMessageContaining("sasl.jaas.config")
        .message()
        .doesNotContain(secret);
  }

  @Test
  void shouldHaveNoIdsTokenByDefaultAndServeIds() {
    DedupConfig config = DedupConfig.from(minimal());

    assertThat(config.httpIdsToken()).isEmpty();
    assertThat(config.httpIdsEnabled()).isTrue();
  }

  @Test
  void shouldKeepIdsTokenHiddenInToString() {
    String token = "t0ken-0123456789abcdef";
    DedupConfig config = config("http.ids.token", token);

    assertThat(config.httpIdsToken())
        .hasValueSatisfying(t -> assertThat(t.value()).isEqualTo(token));
    assertThat(config.httpIdsToken().orElseThrow().toString()).doesNotContain(token);
    assertThat(config.values().toString()).doesNotContain(token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"short-secret-15", "has a space in the middle", "tab\tinside-0123456789"})
  void shouldRejectWeakIdsTokenWithoutShowingIt(String token) {
    assertRejected(with("http.ids.token", token))
        .hasMessageContaining("http.ids.token")
        .message()
        .doesNotContain(token);
  }

  @Test
  void shouldRejectBadDurationNamingKeyValueAndFormat() {
    assertRejected(with("window.size", "P7X"))
        .hasMessageContaining("window.size")
        .hasMessageContaining("P7X")
        .hasMessageContaining("ISO-8601");
  }

  @Test
  void shouldRejectBadShutdownTimeout() {
    assertRejected(with("shutdown.timeout", "30s"))
        .hasMessageContaining("shutdown.timeout")
        .hasMessageContaining("30s")
        .hasMessageContaining("ISO-8601");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT0S", "PT0.0001S", "-PT1H"})
  void shouldRejectWindowBelowOneMillisecond(String window) {
    assertRejected(with("window.size", window)).hasMessageContaining("window.size");
  }

  @Test
  void shouldRejectWindowBeyondMillisecondRangeAsConfigException() {
    // parses as a Duration, but does not fit in a long of milliseconds
    assertRejected(with("window.size", "PT9223372036854775807S"))
        .hasMessageContaining("window.size");
  }

  @ParameterizedTest
  @ValueSource(strings = {"output.topic", "dead.letter.topic"})
  void shouldRequireOutputTopics(String key) {
    assertRejected(without(key)).hasMessageContaining(key);
  }

  @Test
  void shouldRejectEmptyOutputTopic() {
    assertRejected(with("output.topic", "")).hasMessageContaining("output.topic");
  }

  @Test
  void shouldRequireTransactionalStateStoresNamingTheKey() {
    assertRejected(with("kafka.enable.transactional.statestores", "false"))
        .hasMessageContaining("kafka.enable.transactional.statestores")
        .hasMessageContaining("false")
        .hasMessageContaining("must stay true");
    assertThat(config().streamsProperties())
        .containsEntry(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
  }

  @Test
  void shouldSetStandbyReplicasUnlessKafkaSettingGiven() {
    assertThat(config("standby.replicas", "2").streamsProperties())
        .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 2);
    assertThat(config().streamsProperties())
        .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
    assertRejected(with("standby.replicas", "-1")).hasMessageContaining("standby.replicas");
  }

  @Test
  void shouldRejectBothInputTopicsAndPattern() {
    assertRejected(with("input.pattern", "in.*"))
        .hasMessageContaining("input.topics")
        .hasMessageContaining("input.pattern");
  }

  @Test
  void shouldRejectNeitherInputTopicsNorPattern() {
    assertRejected(without("input.topics"))
        .hasMessageContaining("input.topics")
        .hasMessageContaining("input.pattern");
  }

  @ParameterizedTest
  @ValueSource(strings = {"in,", "in,,other", " , "})
  void shouldRejectBlankInputTopicNames(String topics) {
    // a blank name is no topic: it must fail here, not when the topology or consumer starts
    assertRejected(with("input.topics", topics)).hasMessageContaining("input.topics");
  }

  @Test
  void shouldRejectInvalidInputPattern() {
    Map<String, String> props = without("input.topics");
    props.put("input.pattern", "([");

    assertRejected(props).hasMessageContaining("input.pattern").hasMessageContaining("([");
  }

  @Test
  void shouldRejectJsonSourceWithoutPointers() {
    assertRejected(with("id.source", "json")).hasMessageContaining("id.json.pointers");
  }

  @Test
  void shouldRejectPointerWithoutLeadingSlash() {
    assertRejected(with("id.source", "json", "id.json.pointers", "/ok,id"))
        .hasMessageContaining("id.json.pointers")
        .hasMessageContaining("'id'");
  }

  @Test
  void shouldRejectHeaderSourceWithoutHeader() {
    assertRejected(with("id.source", "header")).hasMessageContaining("id.header");
    assertRejected(with("id.source", "header", "id.header", "  "))
        .hasMessageContaining("id.header");
  }

  @ParameterizedTest
  @ValueSource(strings = {"id.source", "id.store", "window.time"})
  void shouldRejectUnknownEnumValue(String key) {
    assertRejected(with(key, "bogus")).hasMessageContaining(key).hasMessageContaining("bogus");
  }

  @Test
  void shouldTakeEnumValuesInAnyCase() {
    DedupConfig config =
        config(
            "id.source",
            "JSON",
            "id.json.pointers",
            "/id",
            "id.store",
            "Raw",
            "window.time",
            "PROCESSING");

    assertThat(config.idSource()).isEqualTo(IdSource.JSON);
    assertThat(config.idEncoding()).isEqualTo(IdEncoding.RAW);
    assertThat(config.windowTime()).isEqualTo(WindowTime.PROCESSING);
  }

  @ParameterizedTest
  @ValueSource(strings = {"output.topic", "dead.letter.topic", "duplicates.topic"})
  void shouldRejectOutputThatIsAlsoAnInputTopic(String key) {
    assertRejected(with(key, "in")).hasMessageContaining("value in ").hasMessageContaining("input");
  }

  @Test
  void shouldRejectOutputMatchedByInputPattern() {
    Map<String, String> props = without("input.topics");
    props.put("input.pattern", "o.*");

    assertRejected(props).hasMessageContaining("value out ").hasMessageContaining("input");
  }

  @Test
  void shouldRejectDuplicatesTopicEqualToOutput() {
    assertRejected(with("duplicates.topic", "out"))
        .hasMessageContaining("value out for configuration duplicates.topic")
        .hasMessageContaining("same topic as output.topic");
  }

  @Test
  void shouldRejectDeadLetterTopicEqualToOutput() {
    assertRejected(with("dead.letter.topic", "out"))
        .hasMessageContaining("value out for configuration dead.letter.topic")
        .hasMessageContaining("same topic as output.topic");
  }

  @Test
  void shouldRejectDuplicatesTopicEqualToDeadLetterTopic() {
    assertRejected(with("duplicates.topic", "dlq"))
        .hasMessageContaining("value dlq for configuration duplicates.topic")
        .hasMessageContaining("same topic as dead.letter.topic");
  }

  @ParameterizedTest
  @ValueSource(strings = {"exactly_once", "exactly_once_beta", "none"})
  void shouldRejectUnsupportedProcessingGuarantee(String guarantee) {
    assertRejected(with("kafka.processing.guarantee", guarantee))
        .hasMessageContaining("kafka.processing.guarantee")
        .hasMessageContaining(guarantee);
  }

  @Test
  void shouldAcceptAtLeastOnce() {
    DedupConfig config = config("kafka.processing.guarantee", "at_least_once");

    assertThat(config.exactlyOnce()).isFalse();
    assertThat(config.streamsProperties())
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
  }

  @Test
  void shouldRequireBootstrapServers() {
    assertRejected(without("kafka.bootstrap.servers"))
        .hasMessageContaining("kafka.bootstrap.servers");
  }

  @Test
  void shouldRejectBadPassThroughValueNamingKeyAsWritten() {
    assertRejected(with("kafka.num.stream.threads", "abc"))
        .hasMessageContaining("abc")
        .hasMessageContaining("kafka.num.stream.threads");
  }

  @Test
  void shouldRejectBadPassThroughClass() {
    assertRejected(with("kafka.default.key.serde", "no.such.Serde"))
        .hasMessageContaining("default.key.serde")
        .hasMessageContaining("no.such.Serde");
  }

  @Test
  void shouldPassKafkaPropertiesThroughAndOverrideDefaults() {
    Properties streams =
        config(
                "kafka.application.id", "my-dedup",
                "kafka.auto.offset.reset", "latest",
                "kafka.num.stream.threads", "3",
                "kafka.consumer.max.poll.records", "50")
            .streamsProperties();

    assertThat(streams)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "my-dedup")
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "3")
        .containsEntry("consumer.max.poll.records", "50")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .doesNotContainKeys(
            "kafka.application.id", "kafka.num.stream.threads", "kafka.bootstrap.servers");
  }

  @Test
  void shouldReturnIndependentStreamsProperties() {
    DedupConfig config = config();

    config.streamsProperties().put(StreamsConfig.APPLICATION_ID_CONFIG, "changed");

    assertThat(config.streamsProperties())
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "kafka-dedup");
  }

  @Test
  void shouldUseInstanceIdAsGroupInstanceId() {
    DedupConfig config = config("instance.id", "dedup-0");

    assertThat(config.instanceId()).contains("dedup-0");
    assertThat(config.streamsProperties())
        .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "dedup-0");
  }

  @Test
  void shouldLetKafkaGroupInstanceIdOverrideInstanceId() {
    assertThat(
            config("instance.id", "dedup-0", "kafka.group.instance.id", "explicit")
                .streamsProperties())
        .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "explicit");
  }

  @Test
  void shouldTreatBlankInstanceIdAsUnset() {
    assertThat(config("instance.id", " ").streamsProperties())
        .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
  }

  @Test
  void shouldRegisterTheRocksDbMemoryBound() {
    assertThat(config("rocksdb.memory.bytes", "67108864").streamsProperties())
        .containsEntry(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
            BoundedMemoryRocksDbConfig.class.getName())
        .containsEntry(BoundedMemoryRocksDbConfig.MEMORY_BYTES_CONFIG, "67108864");
    assertThat(config().rocksDbMemoryBytes()).isEqualTo(BoundedMemoryRocksDbConfig.derivedBytes());
    assertThatThrownBy(() -> config("rocksdb.memory.bytes", "-1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rocksdb.memory.bytes");
  }

  @Test
  void shouldValidateWholeJsonValuesByDefault() {
    assertThat(config().idJsonValidation()).isEqualTo(JsonValidation.FULL);
    assertThat(config("id.json.validate", "id-only").idJsonValidation())
        .isEqualTo(JsonValidation.ID_ONLY);
    assertThatThrownBy(() -> config("id.json.validate", "id_only"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("id.json.validate")
        .hasMessageContaining("full, id-only");
  }

  @Test
  void shouldRejectMoreJsonPointersThanACompositeIdHolds() {
    String pointers = String.join(",", Collections.nCopies(65, "/a"));
    assertThatThrownBy(() -> config("id.source", "json", "id.json.pointers", pointers))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("id.json.pointers")
        .hasMessageContaining("at most 64");
  }

  @Test
  void shouldFailOnWriteErrorsUnlessOverridden() {
    assertThat(config().streamsProperties())
        .containsEntry(
            StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
            FailFastProductionExceptionHandler.class.getName());
  }

  @Test
  void shouldDocumentEveryOwnKey() {
    assertThat(DedupConfig.CONFIG.names())
        .containsExactlyInAnyOrder(
            DedupConfig.INPUT_TOPICS,
            DedupConfig.STANDBY_REPLICAS,
            DedupConfig.INPUT_PATTERN,
            DedupConfig.OUTPUT_TOPIC,
            DedupConfig.DUPLICATES_TOPIC,
            DedupConfig.DEAD_LETTER_TOPIC,
            DedupConfig.ID_SOURCE,
            DedupConfig.ID_JSON_POINTERS,
            DedupConfig.ID_JSON_VALIDATE,
            DedupConfig.ID_HEADER,
            DedupConfig.ID_STORE,
            DedupConfig.ID_REPARTITION,
            DedupConfig.WINDOW_SIZE,
            DedupConfig.WINDOW_TIME,
            DedupConfig.INSTANCE_ID,
            DedupConfig.SHUTDOWN_TIMEOUT,
            DedupConfig.SHUTDOWN_LEAVE_GROUP,
            DedupConfig.HTTP_HOST,
            DedupConfig.HTTP_PORT,
            DedupConfig.HTTP_IDS_ENABLED,
            DedupConfig.HTTP_IDS_TOKEN,
            DedupConfig.ROCKSDB_MEMORY_BYTES,
            DedupConfig.LOG_FORMAT);
    assertThat(DedupConfig.CONFIG.configKeys().values())
        .allSatisfy(key -> assertThat(key.documentation).isNotBlank());
    assertThat(List.copyOf(DedupConfig.CONFIG.names())).noneMatch(k -> k.startsWith("kafka."));
  }
}
