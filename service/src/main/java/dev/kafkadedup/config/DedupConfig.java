package dev.kafkadedup.config;

import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdExtractors;
import dev.kafkadedup.id.IdSource;
import dev.kafkadedup.id.JsonValidation;
import dev.kafkadedup.store.BoundedMemoryRocksDbConfig;
import dev.kafkadedup.streams.FailFastProductionExceptionHandler;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The service's configuration: the one source of truth for every key, its type, default, validator
 * and documentation. Keys under {@value #KAFKA_PREFIX} pass through to Kafka Streams (and its
 * clients) unchanged after the prefix is removed.
 */
public final class DedupConfig extends AbstractConfig {

  public static final String KAFKA_PREFIX = "kafka.";

  public static final String INPUT_TOPICS = "input.topics";
  public static final String INPUT_PATTERN = "input.pattern";
  public static final String OUTPUT_TOPIC = "output.topic";
  public static final String DUPLICATES_TOPIC = "duplicates.topic";
  public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
  public static final String ID_SOURCE = "id.source";
  public static final String ID_JSON_POINTERS = "id.json.pointers";
  public static final String ID_JSON_VALIDATE = "id.json.validate";
  public static final String ID_HEADER = "id.header";
  public static final String ID_STORE = "id.store";
  public static final String ID_REPARTITION = "id.repartition";
  public static final String WINDOW_SIZE = "window.size";
  public static final String WINDOW_TIME = "window.time";
  public static final String INSTANCE_ID = "instance.id";
  public static final String HTTP_HOST = "http.host";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_IDS_ENABLED = "http.ids.enabled";
  public static final String HTTP_IDS_TOKEN = "http.ids.token";
  public static final String SHUTDOWN_TIMEOUT = "shutdown.timeout";
  public static final String SHUTDOWN_LEAVE_GROUP = "shutdown.leave.group";
  public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory.bytes";
  public static final String STANDBY_REPLICAS = "standby.replicas";
  public static final String LOG_FORMAT = "log.format";

  /** Values of {@value #WINDOW_TIME}. */
  public enum WindowTime {
    /** Record timestamps against the task's stream time: replays behave as the original run. */
    EVENT,
    /** Wall-clock time at processing. */
    PROCESSING
  }

  /** Values of {@value #LOG_FORMAT}. */
  public enum LogFormat {
    /** One human-readable line per event. */
    TEXT,
    /** One JSON object per line, as Kubernetes log pipelines expect. */
    JSON
  }

  /** Far beyond any real window; keeps the store's retention (3 windows) within a long. */
  private static final Duration MAX_WINDOW = Duration.ofDays(365L * 100);

  /** Kafka Streams settings this service needs unless the user overrides them. */
  private static final Map<String, Object> STREAMS_DEFAULTS =
      Map.of(
          StreamsConfig.APPLICATION_ID_CONFIG,
          "kafka-dedup",
          StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
          StreamsConfig.EXACTLY_ONCE_V2,
          StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG,
          Serdes.ByteArraySerde.class.getName(),
          StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG,
          Serdes.ByteArraySerde.class.getName(),
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
          "earliest",
          StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG,
          "true",
          // Measured in docs/benchmarks.md (about 2x an EOS passthrough's throughput here). Set
          // unprefixed so a user's kafka.linger.ms etc. still wins over them.
          // Send while the transaction is open instead of holding batches until the commit flush
          // (Streams' producer default is linger.ms=100, as long as the EOS commit interval).
          ProducerConfig.LINGER_MS_CONFIG,
          "5",
          ProducerConfig.BATCH_SIZE_CONFIG,
          Integer.toString(128 * 1024),
          ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
          "5000",
          // Right after a commit the next transaction's first requests meet
          // CONCURRENT_TRANSACTIONS while the broker completes the previous one; the default
          // 100 ms backoff stalled the stream thread on every commit.
          CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG,
          "10");

  public static final ConfigDef CONFIG =
      new ConfigDef()
          .define(
              HTTP_HOST,
              Type.STRING,
              "0.0.0.0",
              new ConfigDef.NonEmptyStringWithoutControlChars(),
              Importance.MEDIUM,
              "Address the HTTP server (/metrics, /health/live, /health/ready, /ids/{id}) binds"
                  + " to: 0.0.0.0 for all interfaces, 127.0.0.1 for loopback only.")
          .define(
              HTTP_PORT,
              Type.INT,
              8080,
              ConfigDef.Range.between(0, 65535),
              Importance.MEDIUM,
              "Port of the HTTP server; 0 picks a free port.")
          .define(
              LOG_FORMAT,
              Type.STRING,
              "text",
              oneOf(LogFormat.values()),
              Importance.LOW,
              "Format of the service's log lines on stderr: text, or json (one JSON object per"
                  + " line with timestamp, level, logger, thread, message and the exception's"
                  + " stack trace, as log pipelines expect).")
          .define(
              HTTP_IDS_ENABLED,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Serve GET /ids/{id}, which tells whether an ID was seen and where (topic,"
                  + " partition, offset, time). false: only /metrics and /health/* are served.")
          .define(
              HTTP_IDS_TOKEN,
              Type.PASSWORD,
              null,
              DedupConfig::validateToken,
              Importance.MEDIUM,
              "Bearer token GET /ids/{id} requires (header Authorization: Bearer <token>), at"
                  + " least 16 characters; every instance must have the same one. Empty: /ids is"
                  + " open to anyone who reaches the port. /metrics and /health/* never need it."
                  + " Pass it as DEDUP_HTTP_IDS_TOKEN from a secret, not in the config file.")
          .define(
              INPUT_TOPICS,
              Type.LIST,
              List.of(),
              DedupConfig::validateTopicList,
              Importance.HIGH,
              "Input topics, comma-separated. Set this or " + INPUT_PATTERN + ", not both.")
          .define(
              INPUT_PATTERN,
              Type.STRING,
              "",
              DedupConfig::validatePattern,
              Importance.HIGH,
              "Java regex of input topics, matched as new topics appear. Set this or "
                  + INPUT_TOPICS
                  + ", not both.")
          .define(
              OUTPUT_TOPIC,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new ConfigDef.NonEmptyStringWithoutControlChars(),
              Importance.HIGH,
              "Topic that receives the first occurrence of each ID, unchanged.")
          .define(
              DUPLICATES_TOPIC,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Topic that receives repeats, with headers naming the first occurrence. Empty:"
                  + " repeats are dropped (and counted).")
          .define(
              DEAD_LETTER_TOPIC,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new ConfigDef.NonEmptyStringWithoutControlChars(),
              Importance.HIGH,
              "Topic that receives records whose ID cannot be extracted, with headers giving"
                  + " the reason and origin.")
          .define(
              ID_SOURCE,
              Type.STRING,
              IdSource.KEY.configValue(),
              oneOf(IdSource.values()),
              Importance.HIGH,
              "Where the ID comes from: key (record key), json (fields of a JSON value, see "
                  + ID_JSON_POINTERS
                  + "), header (see "
                  + ID_HEADER
                  + ") or value (the whole value).")
          .define(
              ID_JSON_POINTERS,
              Type.LIST,
              List.of(),
              DedupConfig::validatePointers,
              Importance.HIGH,
              "JSON Pointers (RFC 6901) of the ID field(s) when id.source=json, e.g. /id or"
                  + " /order/id,/line. Several pointers make a composite ID (at most "
                  + IdExtractors.MAX_JSON_POINTERS
                  + ").")
          .define(
              ID_JSON_VALIDATE,
              Type.STRING,
              JsonValidation.FULL.configValue(),
              ConfigDef.ValidString.in(
                  Arrays.stream(JsonValidation.values())
                      .map(JsonValidation::configValue)
                      .toArray(String[]::new)),
              Importance.MEDIUM,
              "How much of a JSON value is checked when id.source=json. full: the whole value must"
                  + " be one well-formed UTF-8 JSON document, else it is a dead letter"
                  + " (INVALID_JSON). id-only: parsing stops once the ID fields are found, so a"
                  + " value that breaks after them is deduplicated and output as it is; cheaper"
                  + " for large values whose producers are trusted.")
          .define(
              ID_HEADER,
              Type.STRING,
              "",
              Importance.HIGH,
              "Header that holds the ID when id.source=header.")
          .define(
              ID_STORE,
              Type.STRING,
              IdEncoding.DIGEST.configValue(),
              oneOf(IdEncoding.values()),
              Importance.MEDIUM,
              "How IDs are stored: digest (96 bits of XXH3-128, 12 bytes each) or raw (the ID bytes).")
          .define(
              ID_REPARTITION,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Repartition records by ID before the lookup when the ID is not the record key"
                  + " (needed for correctness). Set false only when the input is already"
                  + " partitioned by ID.")
          .define(
              WINDOW_SIZE,
              Type.STRING,
              "PT24H",
              DedupConfig::validateWindow,
              Importance.HIGH,
              "How long an ID is remembered, as an ISO-8601 duration (PT10M, PT24H, P7D). A"
                  + " repeat whose timestamp is within this distance of the first occurrence is a"
                  + " duplicate.")
          .define(
              WINDOW_TIME,
              Type.STRING,
              "event",
              oneOf(WindowTime.values()),
              Importance.MEDIUM,
              "event: record timestamps against stream time; processing: wall-clock time.")
          .define(
              INSTANCE_ID,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Stable identity of this instance (e.g. the pod name). When set, static group"
                  + " membership is used, so a restarted instance gets its partitions back"
                  + " without a rebalance.")
          .define(
              SHUTDOWN_TIMEOUT,
              Type.STRING,
              "PT30S",
              DedupConfig::validatePositiveDuration,
              Importance.LOW,
              "How long a clean shutdown may take to commit and close, as an ISO-8601 duration.")
          .define(
              SHUTDOWN_LEAVE_GROUP,
              Type.BOOLEAN,
              false,
              Importance.LOW,
              "Leave the consumer group on shutdown. With static membership an instance that"
                  + " stays in the group keeps its partitions across a restart; one that goes"
                  + " away for good (scale-down) should leave, or its partitions stall until the"
                  + " session times out.")
          .define(
              STANDBY_REPLICAS,
              Type.INT,
              0,
              ConfigDef.Range.between(0, 10),
              Importance.MEDIUM,
              "Warm copies of each task's seen-ID store kept up to date on other instances, so"
                  + " that when an instance dies for good its partitions move to one that holds"
                  + " their state already instead of restoring it (Kafka Streams'"
                  + " num.standby.replicas). Needs as many more instances.")
          .define(
              ROCKSDB_MEMORY_BYTES,
              Type.LONG,
              0L,
              ConfigDef.Range.atLeast(0),
              Importance.MEDIUM,
              "Bytes of RocksDB memory (block cache, index and filter blocks, memtables) for the"
                  + " whole process, shared by every store. 0: a quarter of the memory visible to"
                  + " the JVM (the container limit in a container) minus the maximum heap, between"
                  + " 16 MiB and 256 MiB. RSS can exceed it by allocator fragmentation.");

  private final Map<String, Object> kafkaOverrides;

  private DedupConfig(Map<String, String> props, Map<String, Object> kafkaOverrides) {
    super(CONFIG, props, false);
    this.kafkaOverrides = kafkaOverrides;
  }

  /**
   * Validates and builds the configuration.
   *
   * @throws ConfigException naming the key, the value and what is expected
   */
  public static DedupConfig from(Map<String, String> props) {
    Map<String, String> own = new HashMap<>();
    Map<String, Object> kafka = new HashMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      if (e.getKey().startsWith(KAFKA_PREFIX)) {
        kafka.put(e.getKey().substring(KAFKA_PREFIX.length()), e.getValue());
      } else if (CONFIG.names().contains(e.getKey())) {
        own.put(e.getKey(), e.getValue());
      } else {
        // the value is not shown: a misspelled key may hold a secret (sasl.jaas.config)
        throw new ConfigException(
            "Unknown configuration key '"
                + e.getKey()
                + "': expected one of "
                + new TreeSet<>(CONFIG.names())
                + " or a Kafka property prefixed with '"
                + KAFKA_PREFIX
                + "'");
      }
    }
    DedupConfig config = new DedupConfig(own, kafka);
    config.checkCombinations();
    config.checkStreamsProperties();
    return config;
  }

  private void checkCombinations() {
    boolean hasTopics = !inputTopics().isEmpty();
    boolean hasPattern = inputPattern().isPresent();
    if (hasTopics == hasPattern) {
      throw new ConfigException(
          INPUT_TOPICS,
          getList(INPUT_TOPICS),
          hasTopics
              ? "set either "
                  + INPUT_TOPICS
                  + " or "
                  + INPUT_PATTERN
                  + " (='"
                  + getString(INPUT_PATTERN)
                  + "'), not both"
              : "no input: set " + INPUT_TOPICS + " or " + INPUT_PATTERN);
    }
    if (idSource() == IdSource.JSON && getList(ID_JSON_POINTERS).isEmpty()) {
      throw new ConfigException(
          ID_JSON_POINTERS, "", "id.source=json needs at least one JSON Pointer, e.g. /id");
    }
    if (idSource() == IdSource.HEADER && getString(ID_HEADER).isBlank()) {
      throw new ConfigException(ID_HEADER, "", "id.source=header needs the header name");
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put(OUTPUT_TOPIC, outputTopic());
    outputs.put(DEAD_LETTER_TOPIC, deadLetterTopic());
    duplicatesTopic().ifPresent(d -> outputs.put(DUPLICATES_TOPIC, d));
    Map<String, String> keyByTopic = new HashMap<>();
    outputs.forEach(
        (key, topic) -> {
          String earlier = keyByTopic.putIfAbsent(topic, key);
          if (earlier != null) {
            throw new ConfigException(
                key,
                topic,
                "the same topic as "
                    + earlier
                    + "; output, duplicates and dead-letter topics must differ");
          }
        });
    outputs.forEach(
        (key, topic) -> {
          if (inputTopics().contains(topic)
              || inputPattern().map(p -> p.matcher(topic).matches()).orElse(false)) {
            throw new ConfigException(
                key, topic, "an output topic must not also be an input topic");
          }
        });
    String guarantee =
        String.valueOf(
            kafkaOverrides.getOrDefault(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2));
    if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)
        && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
      throw new ConfigException(
          KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
          guarantee,
          "expected exactly_once_v2 or at_least_once");
    }
  }

  /**
   * Lets Kafka Streams validate the pass-through properties now, naming keys as the user wrote
   * them.
   */
  private void checkStreamsProperties() {
    if (!kafkaOverrides.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new ConfigException(
          KAFKA_PREFIX + StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
          "",
          "expected the Kafka cluster's bootstrap servers, e.g. broker-1:9092,broker-2:9092");
    }
    StreamsConfig streams;
    try {
      streams = new StreamsConfig(streamsProperties());
    } catch (ConfigException e) {
      String message = String.valueOf(e.getMessage());
      String named = "for configuration ";
      throw new ConfigException(
          message.contains(named)
              ? message.replaceFirst(named, named + KAFKA_PREFIX)
              : KAFKA_PREFIX + "*: " + message);
    }
    // The seen-ID store keeps its state across crashes by committing it with each Kafka
    // transaction, which Kafka Streams does only with transactional state stores on.
    if (!streams.getBoolean(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)) {
      throw new ConfigException(
          KAFKA_PREFIX + StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG,
          kafkaOverrides.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG),
          "must stay true: the seen-ID store commits its local state with each Kafka"
              + " transaction, so that a crash does not wipe it");
    }
  }

  public List<String> inputTopics() {
    return getList(INPUT_TOPICS);
  }

  public Optional<Pattern> inputPattern() {
    String pattern = getString(INPUT_PATTERN);
    return pattern.isEmpty() ? Optional.empty() : Optional.of(Pattern.compile(pattern));
  }

  public String outputTopic() {
    return getString(OUTPUT_TOPIC);
  }

  public Optional<String> duplicatesTopic() {
    String topic = getString(DUPLICATES_TOPIC);
    return topic.isBlank() ? Optional.empty() : Optional.of(topic);
  }

  public String deadLetterTopic() {
    return getString(DEAD_LETTER_TOPIC);
  }

  public IdSource idSource() {
    return enumValue(ID_SOURCE, IdSource.class);
  }

  public List<String> idJsonPointers() {
    return getList(ID_JSON_POINTERS);
  }

  public JsonValidation idJsonValidation() {
    return JsonValidation.ofConfigValue(getString(ID_JSON_VALIDATE));
  }

  public String idHeader() {
    return getString(ID_HEADER);
  }

  public IdEncoding idEncoding() {
    return enumValue(ID_STORE, IdEncoding.class);
  }

  /** True when records must be repartitioned by ID before the lookup. */
  public boolean repartitionById() {
    return idSource() != IdSource.KEY && getBoolean(ID_REPARTITION);
  }

  public Duration window() {
    return Duration.parse(getString(WINDOW_SIZE));
  }

  public WindowTime windowTime() {
    return enumValue(WINDOW_TIME, WindowTime.class);
  }

  public Optional<String> instanceId() {
    String id = getString(INSTANCE_ID);
    return id.isBlank() ? Optional.empty() : Optional.of(id);
  }

  public String httpHost() {
    return getString(HTTP_HOST);
  }

  public int httpPort() {
    return getInt(HTTP_PORT);
  }

  public boolean httpIdsEnabled() {
    return getBoolean(HTTP_IDS_ENABLED);
  }

  /** The bearer token {@code /ids/{id}} requires, if any. */
  public Optional<Password> httpIdsToken() {
    Password token = getPassword(HTTP_IDS_TOKEN);
    return token == null || token.value().isEmpty() ? Optional.empty() : Optional.of(token);
  }

  public Duration shutdownTimeout() {
    return Duration.parse(getString(SHUTDOWN_TIMEOUT));
  }

  public boolean leaveGroupOnShutdown() {
    return getBoolean(SHUTDOWN_LEAVE_GROUP);
  }

  /** The process-wide RocksDB memory bound in bytes, derived when not configured. */
  public long rocksDbMemoryBytes() {
    long configured = getLong(ROCKSDB_MEMORY_BYTES);
    return configured > 0 ? configured : BoundedMemoryRocksDbConfig.derivedBytes();
  }

  /** The Kafka Streams application id: the consumer group and the prefix of internal topics. */
  public String applicationId() {
    return String.valueOf(streamsProperties().get(StreamsConfig.APPLICATION_ID_CONFIG));
  }

  public LogFormat logFormat() {
    return enumValue(LOG_FORMAT, LogFormat.class);
  }

  public boolean exactlyOnce() {
    return StreamsConfig.EXACTLY_ONCE_V2.equals(
        streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
  }

  /** Kafka Streams properties: this service's defaults, then every {@code kafka.*} override. */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.putAll(STREAMS_DEFAULTS);
    props.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        BoundedMemoryRocksDbConfig.class.getName());
    props.put(BoundedMemoryRocksDbConfig.MEMORY_BYTES_CONFIG, Long.toString(rocksDbMemoryBytes()));
    props.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        FailFastProductionExceptionHandler.class.getName());
    instanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, getInt(STANDBY_REPLICAS));
    // One stream thread per CPU the JVM may use (its container limit): one thread left the
    // second core of a 2-CPU pod mostly idle (docs/benchmarks.md).
    props.put(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG,
        Integer.toString(Runtime.getRuntime().availableProcessors()));
    props.putAll(kafkaOverrides);
    return props;
  }

  /** An enum setting: validated by {@link #oneOf} in any case, named in upper case. */
  private <E extends Enum<E>> E enumValue(String name, Class<E> type) {
    return Enum.valueOf(type, getString(name).toUpperCase(Locale.ROOT));
  }

  private static void validateTopicList(String name, Object value) {
    for (Object topic : (List<?>) value) {
      if (String.valueOf(topic).isBlank()) {
        throw new ConfigException(name, value, "expected topic names, got a blank one");
      }
    }
  }

  /** Accepts the enum's config values in any case: the typed getters upper-case them anyway. */
  private static ConfigDef.Validator oneOf(Enum<?>[] values) {
    return ConfigDef.CaseInsensitiveValidString.in(
        Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toArray(String[]::new));
  }

  /** Never shows the value: it is a secret. */
  private static void validateToken(String name, Object value) {
    String token = value == null ? "" : ((Password) value).value();
    if (!token.isEmpty()
        && (token.length() < 16 || !token.chars().allMatch(c -> c > ' ' && c < 127))) {
      throw new ConfigException(
          name + ": expected at least 16 printable ASCII characters without spaces, or empty");
    }
  }

  private static void validateWindow(String name, Object value) {
    Duration window = parseDuration(name, value);
    if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new ConfigException(
          name, value, "expected a window between 1 ms and " + MAX_WINDOW.toDays() + " days");
    }
  }

  private static void validatePositiveDuration(String name, Object value) {
    if (parseDuration(name, value).isNegative()) {
      throw new ConfigException(name, value, "expected a non-negative duration");
    }
  }

  private static Duration parseDuration(String name, Object value) {
    try {
      return Duration.parse(String.valueOf(value));
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          name, value, "expected an ISO-8601 duration such as PT30S, PT24H or P7D");
    }
  }

  private static void validatePattern(String name, Object value) {
    try {
      Pattern.compile(String.valueOf(value));
    } catch (PatternSyntaxException e) {
      throw new ConfigException(
          name, value, "expected a Java regular expression: " + e.getDescription());
    }
  }

  private static void validatePointers(String name, Object value) {
    if (((List<?>) value).size() > IdExtractors.MAX_JSON_POINTERS) {
      throw new ConfigException(
          name, value, "expected at most " + IdExtractors.MAX_JSON_POINTERS + " JSON Pointers");
    }
    for (Object pointer : (List<?>) value) {
      String text = String.valueOf(pointer);
      if (!text.startsWith("/")) {
        throw new ConfigException(
            name, value, "expected JSON Pointers starting with '/', e.g. /id, got '" + text + "'");
      }
    }
  }
}
