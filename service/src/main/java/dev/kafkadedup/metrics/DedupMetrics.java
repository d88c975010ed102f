package dev.kafkadedup.metrics;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.store.SeenIdStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Every meter of one service instance in one Prometheus registry: this service's own (see {@link
 * MetricNames}), Kafka Streams and client metrics (including consumer lag per partition, commit and
 * transaction metrics and the RocksDB property metrics) through Micrometer's binder, and JVM and
 * process metrics. Every meter carries the application id and instance id as common tags.
 */
public final class DedupMetrics implements AutoCloseable {
  /** How often newly appeared Kafka metrics (e.g. lag of a newly assigned partition) are bound. */
  private static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

  /** Latency buckets from a fast pass-through to a day-old replay. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
    Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6),
    Duration.ofDays(1)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DedupConfig config;
  private final RecordCounters records;
  private final Timer endToEndLatency;
  private final RestoreProgress restore;
  private final Counter rebalances;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final ScheduledExecutorService kafkaMetricsRefresh =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "kafka-dedup-metrics");
            thread.setDaemon(true);
            return thread;
          });
  private KafkaStreamsMetrics streamsMetrics;
  private volatile KafkaStreams streams;
  private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;

  public DedupMetrics(DedupConfig config) {
    this.config = config;
    Properties streamsProperties = config.streamsProperties();
    String applicationId =
        String.valueOf(streamsProperties.get(StreamsConfig.APPLICATION_ID_CONFIG));
    registry
        .config()
        .commonTags(
            MetricNames.APPLICATION,
            applicationId,
            MetricNames.INSTANCE_ID,
            config.instanceId().orElseGet(DedupMetrics::hostName));

    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);

    records = new RecordCounters(registry);
    config.inputTopics().forEach(records::register);
    endToEndLatency =
        Timer.builder(MetricNames.END_TO_END_LATENCY)
            .description("record timestamp to acknowledged write of its unique output record")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    restore = new RestoreProgress(registry);
    rebalances =
        Counter.builder(MetricNames.REBALANCES)
            .description("transitions of Kafka Streams into REBALANCING")
            .register(registry);
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      Gauge.builder(MetricNames.STREAMS_STATE, this, m -> m.state == s ? 1 : 0)
          .description("1 for the current Kafka Streams state")
          .tag(MetricNames.STATE, s.name())
          .register(registry);
    }
    registerStoreGauges();
  }

  private void registerStoreGauges() {
    bytesGauge(
        MetricNames.STORE_DISK,
        SeenIdStore::localDiskBytes,
        "bytes on disk of the local seen-ID stores");
    Gauge.builder(MetricNames.STORE_SEGMENTS, SeenIdStore::localBuckets)
        .description("time buckets held by the local seen-ID stores")
        .register(registry);
    FunctionCounter.builder(
            MetricNames.STORE_SEGMENTS_EXPIRED,
            SeenIdStore.class,
            c -> SeenIdStore.expiredBuckets())
        .description("time buckets dropped because their window expired")
        .register(registry);
    Gauge.builder(MetricNames.STORE_IDS, SeenIdStore::localIds)
        .description("estimated IDs in the local seen-ID stores (RocksDB estimate-num-keys)")
        .register(registry);
    bytesGauge(
        MetricNames.STORE_BLOCK_CACHE,
        SeenIdStore::localBlockCacheBytes,
        "bytes in the RocksDB block cache the seen-ID stores share");
    bytesGauge(
        MetricNames.STORE_MEMTABLES,
        SeenIdStore::localMemtableBytes,
        "bytes of the seen-ID stores' RocksDB memtables");
    bytesGauge(
        MetricNames.STORE_PENDING_COMPACTION,
        SeenIdStore::localPendingCompactionBytes,
        "bytes RocksDB estimates it has yet to compact in the seen-ID stores");
  }

  private void bytesGauge(String name, Supplier<Number> bytes, String description) {
    Gauge.builder(name, bytes).description(description).baseUnit("bytes").register(registry);
  }

  /**
   * The Kafka Streams properties plus the hooks that feed this registry: the record counters for
   * the processors and the latency interceptor on the producer (after any the user configured).
   */
  public Properties instrument(Properties streamsProperties) {
    Properties props = new Properties();
    props.putAll(streamsProperties);
    props.put(RecordCounters.CONFIG, records);
    String interceptors = StreamsConfig.producerPrefix(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    Object existing = props.get(interceptors);
    props.put(
        interceptors,
        (existing == null || existing.toString().isBlank() ? "" : existing + ",")
            + OutputLatencyInterceptor.class.getName());
    props.put(
        StreamsConfig.producerPrefix(OutputLatencyInterceptor.CONFIG),
        new OutputLatencyInterceptor.Target(config.outputTopic(), endToEndLatency));
    return props;
  }

  /** Binds the metrics of a Kafka Streams instance built from {@link #instrument} properties. */
  public void bind(KafkaStreams streams) {
    this.streams = streams;
    streamsMetrics =
        new KafkaStreamsMetrics(streams, Tags.empty(), kafkaMetricsRefresh, KAFKA_METRICS_REFRESH);
    streamsMetrics.bindTo(registry);
  }

  /** Stream threads not dead; 0 when Kafka Streams is not running or rebalancing. */
  public int aliveStreamThreads() {
    KafkaStreams s = streams;
    if (s == null || !s.state().isRunningOrRebalancing()) {
      return 0;
    }
    try {
      int alive = 0;
      for (ThreadMetadata thread : s.metadataForLocalThreads()) {
        if (!"DEAD".equals(thread.threadState())) {
          alive++;
        }
      }
      return alive;
    } catch (IllegalStateException e) {
      return 0; // the state changed since the check above
    }
  }

  /** To be called from the Kafka Streams state listener. */
  public void onStateChange(KafkaStreams.State now, KafkaStreams.State before) {
    state = now;
    if (now == KafkaStreams.State.REBALANCING && before != KafkaStreams.State.REBALANCING) {
      rebalances.increment();
    }
  }

  /** To be set as the Kafka Streams global state restore listener. */
  public StateRestoreListener restoreListener() {
    return restore;
  }

  public RestoreProgress restoreProgress() {
    return restore;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    kafkaMetricsRefresh.shutdownNow();
    gcMetrics.close();
    registry.close();
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
