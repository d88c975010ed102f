package dev.kafkadedup.store;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The IDs seen inside the window, kept in one transactional RocksDB key-value store per task with a
 * changelog ({@link SeenIdBytesStore}).
 *
 * <p>Layout: each ID is stored once, under the start of its time bucket ({@code floor(time / W) *
 * W} for window W): the key is the bucket start (8 bytes, big-endian) followed by the stored ID,
 * the value its {@link FirstOccurrence}. A lookup is a point get in each bucket that can hold a
 * match, newest first: two on the hot path, each answered by bloom filters when the ID is new.
 * Expiry drops all buckets more than 2W older than the newest with one range delete: no scan, no
 * tombstones in the changelog, whose records expire by time retention (3W plus a day).
 *
 * <p>Why 2W back: a record up to W behind stream time is still deduplicated, its match may be up to
 * W older again, and that match's bucket starts up to W earlier still.
 */
public final class SeenIdStore {
  /** The state store's name; its changelog topic is {@code <application.id>-seen-ids-changelog}. */
  public static final String NAME = "seen-ids";

  private static final long CHANGELOG_EXTRA_RETENTION_MS = Duration.ofDays(1).toMillis();

  private final KeyValueStore<byte[], byte[]> store;
  private final long window;

  public SeenIdStore(KeyValueStore<byte[], byte[]> store, Duration window) {
    this.store = store;
    this.window = window.toMillis();
  }

  /**
   * The store definition for a window. Caching is off: every ID is new or read once, so a cache
   * would only add copies. The changelog keeps records for 3W plus a day, as the window-store
   * layout's did, so an existing changelog topic needs no change.
   */
  public static StoreBuilder<KeyValueStore<byte[], byte[]>> builder(Duration window) {
    long windowMillis = window.toMillis();
    KeyValueBytesStoreSupplier supplier =
        new KeyValueBytesStoreSupplier() {
          @Override
          public String name() {
            return NAME;
          }

          @Override
          public KeyValueStore<Bytes, byte[]> get() {
            return new SeenIdBytesStore(NAME, windowMillis);
          }

          @Override
          public String metricsScope() {
            return "rocksdb";
          }
        };
    return Stores.keyValueStoreBuilder(supplier, Serdes.ByteArray(), Serdes.ByteArray())
        .withCachingDisabled()
        .withLoggingEnabled(changelogConfig(window));
  }

  /** The changelog topic of an application: {@code <application.id>-seen-ids-changelog}. */
  public static String changelogTopic(String applicationId) {
    return applicationId + "-" + NAME + "-changelog";
  }

  /** The changelog topic's configuration for a window, as Kafka Streams creates it. */
  public static Map<String, String> changelogConfig(Duration window) {
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG,
        TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG,
        Long.toString(3 * window.toMillis() + CHANGELOG_EXTRA_RETENTION_MS));
  }

  /** An ID and its first occurrence, as one changelog record holds them. */
  public record Entry(byte[] id, FirstOccurrence first) {}

  /**
   * The entry a changelog record holds (of either layout), or null for a tombstone. For readers of
   * the changelog topic beside the service, such as savepoints.
   */
  public static Entry fromChangelogRecord(byte[] key, byte[] value) {
    if (value == null) {
      return null;
    }
    KeyValue<byte[], byte[]> record = fromChangelog(KeyValue.pair(key, value));
    long bucket = bucketOf(record.key);
    return new Entry(
        Arrays.copyOfRange(record.key, Long.BYTES, record.key.length),
        FirstOccurrence.decode(record.value, bucket));
  }

  /** The changelog record (key, value) that holds {@code entry} for a window. */
  public static KeyValue<byte[], byte[]> changelogRecord(Entry entry, Duration window) {
    long bucket = bucketStart(entry.first().time(), window.toMillis());
    return KeyValue.pair(storedKey(entry.id(), bucket), entry.first().encode(bucket));
  }

  /**
   * The first occurrence of {@code id} whose time is within the window of {@code time}, or null.
   * {@code streamTime} bounds the buckets that can hold anything.
   */
  public FirstOccurrence find(byte[] id, long time, long streamTime) {
    long newest = bucket(Math.min(time + window - 1, Math.max(time, streamTime)));
    long oldest = bucket(Math.max(0, time - window + 1));
    for (long bucket = newest; bucket >= oldest; bucket -= window) {
      byte[] value = store.get(storedKey(id, bucket));
      if (value != null && Math.abs(time - FirstOccurrence.timeOf(value, bucket)) < window) {
        return FirstOccurrence.decode(value, bucket);
      }
    }
    return null;
  }

  /** Remembers the first occurrence of {@code id}. */
  public void remember(byte[] id, FirstOccurrence first) {
    long bucket = bucket(first.time());
    store.put(storedKey(id, bucket), first.encode(bucket));
  }

  /**
   * True when a record at {@code time} is older than the window behind stream time: its bucket may
   * already be dropped, so it cannot be remembered.
   */
  public boolean isExpired(long time, long streamTime) {
    return time <= streamTime - window;
  }

  /**
   * The newest first occurrence of {@code id} in a store read by a query, or null: a point get in
   * each bucket that can still hold it, from the store's newest bucket back.
   */
  public static FirstOccurrence newest(
      ReadOnlyKeyValueStore<byte[], byte[]> store, byte[] id, Duration window) {
    long windowMillis = window.toMillis();
    Long newestBucket = null;
    try (var entries = store.reverseAll()) {
      if (entries.hasNext()) {
        newestBucket = bucketOf(entries.next().key);
      }
    }
    if (newestBucket == null) {
      return null;
    }
    for (long bucket = newestBucket; bucket >= newestBucket - 2 * windowMillis; ) {
      byte[] value = store.get(storedKey(id, bucket));
      if (value != null) {
        return FirstOccurrence.decode(value, bucket);
      }
      bucket -= windowMillis;
    }
    return null;
  }

  /** The start of the bucket that holds {@code time}, for a window of {@code windowMillis}. */
  public static long bucketStart(long time, long windowMillis) {
    return time - Math.floorMod(time, windowMillis);
  }

  /** The key kept in RocksDB and in the changelog for a stored ID in a bucket. */
  public static byte[] storedKey(byte[] id, long bucketStart) {
    return ByteBuffer.allocate(Long.BYTES + id.length).putLong(bucketStart).put(id).array();
  }

  /** The stored-key prefix of a bucket. */
  static byte[] bucketPrefix(long bucketStart) {
    return ByteBuffer.allocate(Long.BYTES).putLong(bucketStart).array();
  }

  /** The bucket start of a stored key (on the hot path: no buffer object). */
  static long bucketOf(byte[] storedKey) {
    long bucket = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      bucket = bucket << 8 | (storedKey[i] & 0xFF);
    }
    return bucket;
  }

  /**
   * A changelog record as this layout stores it. Records of the earlier window-store layout (key:
   * stored ID, bucket start, sequence number 0; value without the layout byte) are converted.
   */
  static KeyValue<byte[], byte[]> fromChangelog(KeyValue<byte[], byte[]> record) {
    if (record.value == null || !FirstOccurrence.isWindowStoreLayout(record.value)) {
      return record;
    }
    byte[] key = record.key;
    int idLength = key.length - Long.BYTES - Integer.BYTES;
    long bucket = ByteBuffer.wrap(key, idLength, Long.BYTES).getLong();
    return KeyValue.pair(
        storedKey(Arrays.copyOf(key, idLength), bucket),
        FirstOccurrence.fromWindowStoreLayout(record.value));
  }

  /** The window-store layout's key for a stored ID in a bucket, for upgrade tests and benches. */
  public static byte[] windowStoreLayoutKey(byte[] id, long bucketStart) {
    return ByteBuffer.allocate(id.length + Long.BYTES + Integer.BYTES)
        .put(id)
        .putLong(bucketStart)
        .putInt(0)
        .array();
  }

  /** Estimated IDs in the seen-ID stores open in this process (RocksDB's key estimate). */
  public static long localIds() {
    return sumOf("rocksdb.estimate-num-keys");
  }

  /** Bytes in the block cache the seen-ID stores of this process share. */
  public static long localBlockCacheBytes() {
    return SeenIdBytesStore.OPEN.stream()
        .mapToLong(s -> s.property("rocksdb.block-cache-usage"))
        .max()
        .orElse(0);
  }

  /** Bytes of the memtables of the seen-ID stores open in this process. */
  public static long localMemtableBytes() {
    return sumOf("rocksdb.size-all-mem-tables");
  }

  /** Bytes RocksDB estimates it still has to compact in the seen-ID stores of this process. */
  public static long localPendingCompactionBytes() {
    return sumOf("rocksdb.estimate-pending-compaction-bytes");
  }

  private static long sumOf(String property) {
    return SeenIdBytesStore.OPEN.stream().mapToLong(s -> s.property(property)).sum();
  }

  /** Bytes on disk of the seen-ID stores open in this process. */
  public static long localDiskBytes() {
    return SeenIdBytesStore.OPEN.stream().mapToLong(SeenIdBytesStore::diskBytes).sum();
  }

  /** Time buckets held by the seen-ID stores open in this process. */
  public static long localBuckets() {
    return SeenIdBytesStore.OPEN.stream().mapToLong(SeenIdBytesStore::buckets).sum();
  }

  /** Buckets dropped by expiry in this process since it started. */
  public static long expiredBuckets() {
    return SeenIdBytesStore.EXPIRED_BUCKETS.sum();
  }

  private long bucket(long time) {
    return bucketStart(time, window);
  }
}
