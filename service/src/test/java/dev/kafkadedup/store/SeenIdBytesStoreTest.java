package dev.kafkadedup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeenIdBytesStoreTest {
  private static final long W = Duration.ofHours(1).toMillis();
  private static final long BUCKET = 1_764_115_200_000L;
  private static final TopicPartition CHANGELOG = new TopicPartition("app-seen-ids-changelog", 3);

  @TempDir Path stateDir;

  private final AtomicReference<BatchingStateRestoreCallback> restore = new AtomicReference<>();
  private SeenIdBytesStore store;

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private SeenIdBytesStore openStore() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    // the service's RocksDB options, with a bound small enough that memtables flush to SST files
    config.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        BoundedMemoryRocksDbConfig.class.getName());
    config.put(BoundedMemoryRocksDbConfig.MEMORY_BYTES_CONFIG, Long.toString(8L << 20));
    StateStoreContext mock =
        new MockProcessorContext<>(config, new TaskId(0, 3), stateDir.toFile())
            .getStateStoreContext();
    // the mock context drops restore callbacks; this one keeps the store's
    StateStoreContext context =
        (StateStoreContext)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {StateStoreContext.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("register")) {
                    restore.set((BatchingStateRestoreCallback) args[1]);
                    return null;
                  }
                  return method.invoke(mock, args);
                });
    SeenIdBytesStore opened = new SeenIdBytesStore(SeenIdStore.NAME, W);
    opened.init(context, opened);
    return opened;
  }

  private void reopen() {
    store.close();
    store = openStore();
  }

  private static Bytes key(long bucket, String id) {
    return Bytes.wrap(SeenIdStore.storedKey(id.getBytes(StandardCharsets.UTF_8), bucket));
  }

  private static byte[] value(long time, long bucket) {
    return new FirstOccurrence(time, "events", 0, 7).encode(bucket);
  }

  @Test
  void shouldReadStagedWritesBeforeTheCommit() {
    store.put(key(BUCKET, "a"), value(BUCKET + 5, BUCKET));

    assertThat(store.get(key(BUCKET, "a"))).isEqualTo(value(BUCKET + 5, BUCKET));
    assertThat(store.get(key(BUCKET, "b"))).isNull();
    assertThat(store.approximateNumUncommittedBytes()).isPositive();
  }

  @Test
  void shouldKeepCommittedStateAndOffsetsAcrossReopen() {
    store.put(key(BUCKET, "a"), value(BUCKET + 5, BUCKET));
    store.commit(Map.of(CHANGELOG, 41L));

    reopen();

    assertThat(store.committedOffset(CHANGELOG)).isEqualTo(41L);
    assertThat(store.get(key(BUCKET, "a"))).isEqualTo(value(BUCKET + 5, BUCKET));
  }

  @Test
  void shouldDropWritesStagedSinceTheLastCommitOnClose() {
    store.put(key(BUCKET, "committed"), value(BUCKET, BUCKET));
    store.commit(Map.of(CHANGELOG, 10L));
    store.put(key(BUCKET, "staged"), value(BUCKET, BUCKET));

    reopen();

    assertThat(store.committedOffset(CHANGELOG)).isEqualTo(10L);
    assertThat(store.get(key(BUCKET, "committed"))).isNotNull();
    assertThat(store.get(key(BUCKET, "staged"))).isNull();
  }

  @Test
  void shouldCommitTheLastStagedWriteOfEachKey() {
    store.put(key(BUCKET, "deleted"), value(BUCKET, BUCKET));
    store.commit(Map.of(CHANGELOG, 1L));
    store.put(key(BUCKET, "rewritten"), value(BUCKET + 1, BUCKET));
    store.delete(key(BUCKET, "deleted"));
    store.put(key(BUCKET, "rewritten"), value(BUCKET + 2, BUCKET));
    store.delete(key(BUCKET, "re-put"));
    store.put(key(BUCKET, "re-put"), value(BUCKET + 3, BUCKET));
    store.commit(Map.of(CHANGELOG, 2L));

    reopen();

    assertThat(store.get(key(BUCKET, "deleted"))).isNull();
    assertThat(store.get(key(BUCKET, "rewritten"))).isEqualTo(value(BUCKET + 2, BUCKET));
    assertThat(store.get(key(BUCKET, "re-put"))).isEqualTo(value(BUCKET + 3, BUCKET));
    assertThat(store.committedOffset(CHANGELOG)).isEqualTo(2L);
  }

  @Test
  void shouldExpireBucketsMoreThanTwoWindowsOlderThanTheNewest() {
    for (int n = 0; n < 4; n++) {
      store.put(key(BUCKET + n * W, "id-" + n), value(BUCKET + n * W, BUCKET + n * W));
      store.commit(Map.of(CHANGELOG, (long) n));
    }

    assertThat(store.get(key(BUCKET, "id-0"))).as("3W behind the newest bucket").isNull();
    assertThat(store.get(key(BUCKET + W, "id-1"))).as("2W behind").isNotNull();
    assertThat(store.get(key(BUCKET + 3 * W, "id-3"))).isNotNull();
    assertThat(store.buckets()).isEqualTo(3);
    assertThat(SeenIdStore.expiredBuckets()).isPositive();
  }

  @Test
  void shouldRestoreBothChangelogLayoutsIntoTheBucketKeyedLayout() {
    byte[] digest = "digest-12byt".getBytes(StandardCharsets.UTF_8);
    byte[] oldValue = new FirstOccurrence(BUCKET + 9, "orders", 2, 99).encode(BUCKET);
    oldValue = Arrays.copyOf(oldValue, oldValue.length - 1);
    restore
        .get()
        .restoreAll(
            List.of(
                KeyValue.pair(SeenIdStore.windowStoreLayoutKey(digest, BUCKET), oldValue),
                KeyValue.pair(key(BUCKET, "new").get(), value(BUCKET + 1, BUCKET))));

    byte[] converted = store.get(Bytes.wrap(SeenIdStore.storedKey(digest, BUCKET)));
    assertThat(FirstOccurrence.decode(converted, BUCKET))
        .isEqualTo(new FirstOccurrence(BUCKET + 9, "orders", 2, 99));
    assertThat(store.get(key(BUCKET, "new"))).isEqualTo(value(BUCKET + 1, BUCKET));
    assertThat(store.get(Bytes.wrap(SeenIdStore.windowStoreLayoutKey(digest, BUCKET)))).isNull();
  }

  @Test
  void shouldRemoveTheWindowStoreLayoutOfTheTask() throws Exception {
    store.put(key(BUCKET, "kept"), value(BUCKET, BUCKET));
    store.commit(Map.of(CHANGELOG, 5L));
    store.close();
    // the mock context's state directory is the task directory
    Path segment = stateDir.resolve(SeenIdStore.NAME).resolve("seen-ids.1764115200000");
    Files.createDirectories(segment);
    Files.writeString(segment.resolve("000001.sst"), "old");
    Files.writeString(stateDir.resolve(".checkpoint"), "0\n1\napp-seen-ids-changelog 3 99\n");

    store = openStore();

    assertThat(Files.exists(segment.getParent())).as("old layout removed").isFalse();
    assertThat(Files.exists(stateDir.resolve(".checkpoint"))).isFalse();
    assertThat(store.get(key(BUCKET, "kept"))).as("the new layout stays").isNotNull();
  }

  @Test
  void shouldReadEveryValueBackExactlyStagedCommittedAndAfterReopen() {
    int ids = 100_000;
    for (int n = 0; n < ids; n++) {
      store.put(key(BUCKET, "id-" + n), occurrence(n).encode(BUCKET));
      if (n % 1_000 == 999) {
        store.commit(Map.of(CHANGELOG, (long) n));
      }
    }
    assertEveryValue(ids);
    store.commit(Map.of(CHANGELOG, (long) ids));
    assertEveryValue(ids);
    reopen();
    assertEveryValue(ids);
  }

  private void assertEveryValue(int ids) {
    for (int n = 0; n < ids; n++) {
      byte[] value = store.get(key(BUCKET, "id-" + n));
      assertThat(value).as("value of id-" + n).isEqualTo(occurrence(n).encode(BUCKET));
      assertThat(store.get(key(BUCKET, "absent-" + n))).isNull();
    }
  }

  private static FirstOccurrence occurrence(int n) {
    return new FirstOccurrence(BUCKET + n * 997L % W, "events", n % 12, n * 31L);
  }

  @Test
  void shouldIterateCommittedEntriesInKeyOrderBothWays() {
    store.put(key(BUCKET, "a"), value(BUCKET, BUCKET));
    store.put(key(BUCKET + W, "b"), value(BUCKET + W, BUCKET + W));
    store.commit(Map.of());

    try (KeyValueIterator<Bytes, byte[]> all = store.reverseAll()) {
      assertThat(SeenIdStore.bucketOf(all.next().key.get())).isEqualTo(BUCKET + W);
      assertThat(SeenIdStore.bucketOf(all.next().key.get())).isEqualTo(BUCKET);
      assertThat(all.hasNext()).isFalse();
    }
  }
}
