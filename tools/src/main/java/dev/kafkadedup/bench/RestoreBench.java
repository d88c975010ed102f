package dev.kafkadedup.bench;

import dev.kafkadedup.DedupService;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.store.SeenIdStore;
import dev.kafkadedup.topology.DedupTopology;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

/**
 * Restore from the changelog, side by side on one broker: a plain Kafka Streams key-value store
 * with Kafka Streams' default RocksDB options, this service's seen-ID store with those options, and
 * the seen-ID store with {@code BoundedMemoryRocksDbConfig} as shipped. Each gets a changelog of
 * the same {@code ids} IDs with the same values, written directly in its store's changelog format,
 * and restores it into empty local state. All run with the service's Kafka Streams settings: only
 * the store differs.
 */
public final class RestoreBench {
  private static final Serde<byte[]> BYTES = Serdes.ByteArray();
  private static final Duration WINDOW = Duration.ofDays(1);
  private static final Duration RUNNING_TIMEOUT = Duration.ofMinutes(30);

  /**
   * The stores compared: a plain key-value store, the seen-ID store with Kafka Streams' default
   * RocksDB options (the window store's own share), and the seen-ID store as shipped.
   */
  enum Store {
    KEY_VALUE,
    SEEN_IDS_STREAMS_OPTIONS,
    SEEN_IDS;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** One store's restore: records, seconds from first restore start to last end, to RUNNING. */
  record Result(long records, double restoreSeconds, double toRunningSeconds) {
    double recordsPerSecond() {
      return records / restoreSeconds;
    }
  }

  private final String bootstrapServers;
  private final int partitions;
  private final long ids;
  private final String stateDir;
  private final PrintStream out;

  public RestoreBench(
      String bootstrapServers, int partitions, long ids, String stateDir, PrintStream out) {
    this.bootstrapServers = bootstrapServers;
    this.partitions = partitions;
    this.ids = ids;
    this.stateDir = stateDir;
    this.out = out;
  }

  public void run() throws InterruptedException {
    Map<Store, Result> results = new HashMap<>();
    for (Store store : Store.values()) {
      Result result = measure(store);
      results.put(store, result);
      out.printf(
          "%-24s restored %,d records in %.1f s: %,.0f records/s; RUNNING %.1f s after start%n",
          store.label(),
          result.records(),
          result.restoreSeconds(),
          result.recordsPerSecond(),
          result.toRunningSeconds());
    }
    out.println();
    out.println("| store | records | restore s | records/s | to RUNNING s |");
    out.println("|---|---:|---:|---:|---:|");
    for (Store store : Store.values()) {
      Result r = results.get(store);
      out.printf(
          "| %s | %,d | %.1f | %,.0f | %.1f |%n",
          store.label(),
          r.records(),
          r.restoreSeconds(),
          r.recordsPerSecond(),
          r.toRunningSeconds());
    }
    out.printf(
        "%nseen-ids/key-value = %.2f (restore rate)%n",
        results.get(Store.SEEN_IDS).recordsPerSecond()
            / results.get(Store.KEY_VALUE).recordsPerSecond());
  }

  private Result measure(Store store) throws InterruptedException {
    String application = "restore-bench-" + store.label();
    DedupConfig config = DedupConfig.from(settings(application));
    BenchRunner.createTopics(
        bootstrapServers,
        partitions,
        config.inputTopics().get(0),
        config.outputTopic(),
        config.deadLetterTopic());
    Properties props = config.streamsProperties();
    if (store != Store.SEEN_IDS) {
      props.remove(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
    }
    Topology topology =
        store == Store.KEY_VALUE
            ? keyValueTopology(config.inputTopics().get(0))
            : DedupTopology.build(config);

    // A first start creates the changelog topic as Kafka Streams configures it; then the local
    // state goes, and the changelog gets its IDs.
    KafkaStreams first = new KafkaStreams(topology, props);
    try {
      first.start();
      awaitRunning(first, store);
    } finally {
      closeAndWipe(first);
    }
    writeChangelog(application + "-" + SeenIdStore.NAME + "-changelog", store);

    AtomicLong restored = new AtomicLong();
    AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastEnd = new AtomicLong();
    KafkaStreams streams = new KafkaStreams(topology, props);
    try {
      streams.setGlobalStateRestoreListener(
          new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String name, long from, long to) {
              firstStart.accumulateAndGet(System.nanoTime(), Math::min);
            }

            @Override
            public void onBatchRestored(
                TopicPartition partition, String name, long batchEndOffset, long records) {
              restored.addAndGet(records);
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String name, long total) {
              lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
            }
          });
      long started = System.nanoTime();
      streams.start();
      awaitRunning(streams, store);
      double toRunning = (System.nanoTime() - started) / 1e9;
      return new Result(restored.get(), (lastEnd.get() - firstStart.get()) / 1e9, toRunning);
    } finally {
      closeAndWipe(streams);
    }
  }

  /**
   * Leaving the group lets the next start's member take the partitions at once, instead of after
   * the session timeout of a member that never said it left.
   */
  private static void closeAndWipe(KafkaStreams streams) {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    streams.cleanUp();
  }

  private Map<String, String> settings(String application) {
    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.bootstrap.servers", bootstrapServers);
    settings.put("kafka.application.id", application);
    settings.put("kafka.state.dir", stateDir);
    settings.put(DedupConfig.INPUT_TOPICS, application + "-in");
    settings.put(DedupConfig.OUTPUT_TOPIC, application + "-out");
    settings.put(DedupConfig.DEAD_LETTER_TOPIC, application + "-dlq");
    settings.put(DedupConfig.ID_SOURCE, "key");
    settings.put(DedupConfig.WINDOW_SIZE, WINDOW.toString());
    return settings;
  }

  /** A processor that only holds a plain persistent key-value store under the same name. */
  private static Topology keyValueTopology(String input) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SeenIdStore.NAME), BYTES, BYTES));
    builder.stream(input, Consumed.with(BYTES, BYTES)).process(StoreHolder::new, SeenIdStore.NAME);
    return builder.build();
  }

  /** Connected to the key-value store so that Kafka Streams restores it; never sees a record. */
  private static final class StoreHolder implements Processor<byte[], byte[], Void, Void> {
    @Override
    public void process(Record<byte[], byte[]> record) {}
  }

  private void writeChangelog(String topic, Store store) {
    long started = System.nanoTime();
    SeenIdChangelog.write(
        bootstrapServers,
        topic,
        partitions,
        ids,
        WINDOW,
        store == Store.KEY_VALUE
            ? SeenIdChangelog.Layout.DIGEST_ONLY
            : SeenIdChangelog.Layout.SEEN_IDS);
    out.printf(
        "%-24s wrote a changelog of %,d IDs in %.1f s%n",
        store.label(), ids, (System.nanoTime() - started) / 1e9);
  }

  private static void awaitRunning(KafkaStreams streams, Store store) throws InterruptedException {
    try {
      DedupService.awaitRunning(streams, RUNNING_TIMEOUT);
    } catch (TimeoutException e) {
      throw new IllegalStateException(store.label() + ": " + e.getMessage(), e);
    }
  }
}
