package dev.kafkadedup.metrics;

/**
 * Names of this service's own meters and tags, in Micrometer's dotted form. The Prometheus registry
 * renders them with underscores and unit suffixes: {@code kafka.dedup.records.in} becomes {@code
 * kafka_dedup_records_in_total}. README's Monitoring section lists each with its meaning; the
 * Grafana dashboard and alert rules query them.
 */
public final class MetricNames {
  /** Records read from an input topic (tag {@link #TOPIC}). */
  public static final String RECORDS_IN = "kafka.dedup.records.in";

  /** First occurrences written to the output topic (tag {@link #TOPIC}: their input topic). */
  public static final String RECORDS_UNIQUE = "kafka.dedup.records.unique";

  /** Repeats inside the window, dropped or sent to the duplicates topic (tag {@link #TOPIC}). */
  public static final String RECORDS_DUPLICATE = "kafka.dedup.records.duplicate";

  /** Records without a usable ID, sent to the dead-letter topic (tag {@link #TOPIC}). */
  public static final String RECORDS_DEAD_LETTER = "kafka.dedup.records.dead.letter";

  /** Record timestamp to acknowledgement of its output write, in seconds. */
  public static final String END_TO_END_LATENCY = "kafka.dedup.end.to.end.latency";

  /** Estimated number of IDs in this instance's seen-ID store (RocksDB estimate). */
  public static final String STORE_IDS = "kafka.dedup.store.ids";

  /** Bytes on disk of this instance's seen-ID store. */
  public static final String STORE_DISK = "kafka.dedup.store.disk";

  /** Time buckets held by the seen-ID store (the name is kept from the segmented layout). */
  public static final String STORE_SEGMENTS = "kafka.dedup.store.segments";

  /** Buckets dropped because newer data moved past their retention: window expirations. */
  public static final String STORE_SEGMENTS_EXPIRED = "kafka.dedup.store.segments.expired";

  /** Bytes in RocksDB's block cache, shared by every seen-ID store of the process. */
  public static final String STORE_BLOCK_CACHE = "kafka.dedup.store.block.cache";

  /** Bytes of the seen-ID store's RocksDB memtables. */
  public static final String STORE_MEMTABLES = "kafka.dedup.store.memtables";

  /** Bytes RocksDB estimates it has yet to compact in the seen-ID store. */
  public static final String STORE_PENDING_COMPACTION = "kafka.dedup.store.pending.compaction";

  /** Changelog records restored into local state. */
  public static final String RESTORE_RECORDS = "kafka.dedup.restore.records";

  /** Changelog records still to restore before the restoring tasks can process. */
  public static final String RESTORE_REMAINING = "kafka.dedup.restore.remaining.records";

  /** Store partitions restoring now. */
  public static final String RESTORE_PARTITIONS = "kafka.dedup.restore.partitions";

  /** 1 for the current Kafka Streams state (tag {@link #STATE}), 0 for the others. */
  public static final String STREAMS_STATE = "kafka.dedup.streams.state";

  /** Transitions into REBALANCING. */
  public static final String REBALANCES = "kafka.dedup.rebalances";

  public static final String TOPIC = "topic";
  public static final String STATE = "state";

  /**
   * Common tags on every meter: the Kafka Streams application id and this instance's id. Not {@code
   * application_id}, which Kafka Streams' own client metrics carry already, nor {@code instance},
   * which Prometheus sets to the scrape target and would rename ours.
   */
  public static final String APPLICATION = "application";

  public static final String INSTANCE_ID = "instance_id";

  private MetricNames() {}
}
