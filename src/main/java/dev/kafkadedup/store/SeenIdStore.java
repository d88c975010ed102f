package dev.kafkadedup.store;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The IDs seen inside the window, kept in a segmented RocksDB window store with a changelog.
 *
 * <p>Layout: each ID is stored once, under the start of its time bucket ({@code floor(time / W) *
 * W} for window W), with its {@link FirstOccurrence} as the value. Kafka Streams keeps the store in
 * time segments (retention 3W, segment interval 1.5W), so expiry is dropping a whole RocksDB
 * segment when stream time passes it — no scan, no per-key delete, no tombstones in the changelog
 * (whose records expire by time retention). A lookup is a point get in each bucket that can hold a
 * match: two on the hot path, newest first. See docs/design.md.
 *
 * <p>Why 3W: a record up to W behind stream time is still deduplicated, its match may be up to W
 * older again, and that match's bucket starts up to W earlier still.
 */
public final class SeenIdStore {
  /** The state store's name; its changelog topic is {@code <application.id>-seen-ids-changelog}. */
  public static final String NAME = "seen-ids";

  private final WindowStore<byte[], byte[]> store;
  private final long window;

  public SeenIdStore(WindowStore<byte[], byte[]> store, Duration window) {
    this.store = store;
    this.window = window.toMillis();
  }

  /**
   * The store definition for a window. Caching is off: every ID is new or read once, so a cache
   * would only add copies.
   */
  public static StoreBuilder<WindowStore<byte[], byte[]>> builder(Duration window) {
    return Stores.windowStoreBuilder(
            Stores.persistentWindowStore(NAME, window.multipliedBy(3), window, false),
            Serdes.ByteArray(),
            Serdes.ByteArray())
        .withCachingDisabled();
  }

  /**
   * The first occurrence of {@code id} whose time is within the window of {@code time}, or null.
   * {@code streamTime} bounds the buckets that can hold anything.
   */
  public FirstOccurrence find(byte[] id, long time, long streamTime) {
    long newest = bucket(Math.min(time + window - 1, Math.max(time, streamTime)));
    long oldest = bucket(Math.max(0, time - window + 1));
    for (long bucket = newest; bucket >= oldest; bucket -= window) {
      byte[] value = store.fetch(id, bucket);
      if (value != null && Math.abs(time - FirstOccurrence.timeOf(value, bucket)) < window) {
        return FirstOccurrence.decode(value, bucket);
      }
    }
    return null;
  }

  /** The start of the bucket that holds {@code time}, for a window of {@code windowMillis}. */
  public static long bucketStart(long time, long windowMillis) {
    return time - Math.floorMod(time, windowMillis);
  }

  /**
   * The key Kafka Streams' window store keeps, in RocksDB and in the changelog, for an ID's digest
   * in the bucket starting at {@code bucketStart}: the digest, the window start and sequence number
   * 0 (duplicates are not retained).
   */
  public static byte[] storedKey(byte[] digest, long bucketStart) {
    return ByteBuffer.allocate(digest.length + Long.BYTES + Integer.BYTES)
        .put(digest)
        .putLong(bucketStart)
        .putInt(0)
        .array();
  }

  /** Remembers the first occurrence of {@code id}. */
  public void remember(byte[] id, FirstOccurrence first) {
    long bucket = bucket(first.time());
    store.put(id, first.encode(bucket), bucket);
  }

  /**
   * True when a record at {@code time} is older than the window behind stream time: its bucket may
   * already be dropped, so it cannot be remembered.
   */
  public boolean isExpired(long time, long streamTime) {
    return time <= streamTime - window;
  }

  private long bucket(long time) {
    return bucketStart(time, window);
  }
}
