package dev.kafkadedup.store;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB instance under the seen-ID store of one task: one key-value store whose keys start
 * with their time bucket ({@link SeenIdStore#storedKey}), so a task has a single crash-consistent
 * changelog offset and expiry is one range delete.
 *
 * <p>Transactional (KIP-892 style, for {@code enable.transactional.statestores=true}): writes are
 * staged in a batch, and in a hash map that reads look in first, and {@link #commit} writes the
 * batch and the changelog offsets in one atomic, write-ahead-logged RocksDB write. (A hash map:
 * RocksDB's indexed batch keeps a sorted skip list, which cost a tenth of the stream thread's CPU
 * on top of the memtable's own.) Kafka Streams commits a store right after the Kafka transaction
 * that holds its changelog records commits, so after a crash (kill -9, OOMKill) the disk holds
 * exactly the state of a committed changelog offset, and the restart replays only the changelog
 * after it: no wipe. A dirty close drops the staged batch.
 *
 * <p>Expiry: once a bucket 2W newer than the oldest live bucket arrives, every older bucket is
 * removed with one range delete (a constant-cost RocksDB tombstone; compaction and whole-file
 * deletes reclaim the space). The changelog keeps records for 3W plus a day by time retention, and
 * restore applies the same rule, so both stay consistent without tombstones.
 *
 * <p>Restore also reads records the earlier window-store layout wrote to the same changelog and
 * converts them (see {@link SeenIdStore#fromChangelog}).
 */
final class SeenIdBytesStore implements KeyValueStore<Bytes, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(SeenIdBytesStore.class);

  /** Where the store lives inside its task directory, as Kafka Streams' own key-value stores. */
  static final String DIRECTORY = "rocksdb";

  private static final byte[] OFFSETS_FAMILY = "offsets".getBytes(StandardCharsets.UTF_8);

  /** A staged delete, told apart from a staged value by identity. */
  private static final byte[] DELETED = new byte[0];

  /** The WAL is replayed on open after a crash; keeping it small keeps that replay short. */
  private static final long MAX_TOTAL_WAL_BYTES = 64L * 1024 * 1024;

  /** Every open store of this process, for the store gauges. */
  static final Set<SeenIdBytesStore> OPEN = ConcurrentHashMap.newKeySet();

  /** Buckets expired by every store of this process, for the expiry counter. */
  static final LongAdder EXPIRED_BUCKETS = new LongAdder();

  private final String name;
  private final long window;
  private final Position position = Position.emptyPosition();

  private File dir;
  private Options options;
  private BloomFilter filter;
  private DBOptions dbOptions;
  private ColumnFamilyOptions dataFamilyOptions;
  private ColumnFamilyOptions offsetsFamilyOptions;
  private RocksDBConfigSetter configSetter;
  private WriteOptions writeOptions;
  private ReadOptions readOptions;
  private RocksDB db;
  private ColumnFamilyHandle data;
  private ColumnFamilyHandle offsets;
  private WriteBatch staged;
  private final Map<Bytes, byte[]> stagedValues = new HashMap<>();
  private volatile long stagedBytes;

  private volatile boolean open;

  /** Newest bucket written; buckets older than it by 2W or more are expired. */
  private long newestBucket = Long.MIN_VALUE;

  /** Oldest bucket that may still hold keys. */
  private long oldestBucket = Long.MIN_VALUE;

  SeenIdBytesStore(String name, long windowMillis) {
    this.name = name;
    this.window = windowMillis;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean persistent() {
    return true;
  }

  // Deprecated in Kafka Streams 4.4 on the way to every store managing its offsets; until then
  // it is what makes Kafka Streams hand this store its offsets instead of a checkpoint file.
  @SuppressWarnings("deprecation")
  @Override
  public boolean managesOffsets() {
    return true;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public synchronized void init(StateStoreContext context, StateStore root) {
    File taskDir = context.stateDir();
    removeWindowStoreLayout(taskDir, context.taskId().toString());
    dir = new File(new File(taskDir, DIRECTORY), name);
    try {
      Files.createDirectories(dir.toPath());
      openDb(context.appConfigs());
    } catch (IOException | RocksDBException e) {
      throw new ProcessorStateException("cannot open the seen-ID store at " + dir, e);
    }
    open = true;
    OPEN.add(this);
    context.register(root, (BatchingStateRestoreCallback) this::restoreAll);
  }

  /**
   * The window-store layout of earlier versions kept one RocksDB instance per time segment under
   * {@code <task>/seen-ids/}. Its records are in the same changelog, which restore converts, so the
   * old files are removed and the task restores once.
   */
  private void removeWindowStoreLayout(File taskDir, String taskId) {
    File oldLayout = new File(taskDir, name);
    if (!oldLayout.isDirectory()) {
      return;
    }
    LOG.warn(
        "task {}: found the seen-ID store in the window-store layout of kafka-dedup 0.1;"
            + " removing it and restoring the new layout from the changelog once",
        taskId);
    try {
      Utils.delete(oldLayout);
      // offsets Kafka Streams may have kept for that layout describe files that are now gone
      Files.deleteIfExists(new File(taskDir, ".checkpoint").toPath());
    } catch (IOException e) {
      throw new ProcessorStateException("cannot remove the old seen-ID store at " + oldLayout, e);
    }
  }

  @SuppressWarnings("unchecked")
  private void openDb(Map<String, Object> configs) throws RocksDBException {
    options = new Options();
    BlockBasedTableConfig table = new BlockBasedTableConfig();
    filter = new BloomFilter(10, false);
    table.setFilterPolicy(filter);
    options.setTableFormatConfig(table);
    options.setCreateIfMissing(true);
    options.setCreateMissingColumnFamilies(true);
    options.setAtomicFlush(true);
    options.setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES);
    Object setter = configs.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
    if (setter != null) {
      try {
        Class<? extends RocksDBConfigSetter> type =
            setter instanceof Class<?> c
                ? (Class<? extends RocksDBConfigSetter>) c
                : (Class<? extends RocksDBConfigSetter>) Class.forName(setter.toString());
        configSetter = Utils.newInstance(type);
      } catch (ClassNotFoundException e) {
        throw new ProcessorStateException("rocksdb.config.setter " + setter + " not found", e);
      }
      configSetter.setConfig(name, options, configs);
    }
    dbOptions = new DBOptions(options);
    dataFamilyOptions = new ColumnFamilyOptions(options);
    offsetsFamilyOptions = new ColumnFamilyOptions();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    db =
        RocksDB.open(
            dbOptions,
            dir.getAbsolutePath(),
            List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, dataFamilyOptions),
                new ColumnFamilyDescriptor(OFFSETS_FAMILY, offsetsFamilyOptions)),
            handles);
    data = handles.get(0);
    offsets = handles.get(1);
    // no fsync per commit: a process crash keeps the OS-buffered log; after a machine crash
    // RocksDB recovers a consistent prefix of commits, data and offsets together
    writeOptions = new WriteOptions();
    readOptions = new ReadOptions();
    staged = new WriteBatch();
    try (RocksIterator last = db.newIterator(data)) {
      last.seekToFirst();
      if (last.isValid()) {
        oldestBucket = SeenIdStore.bucketOf(last.key());
      }
      last.seekToLast();
      if (last.isValid()) {
        newestBucket = SeenIdStore.bucketOf(last.key());
      }
    }
  }

  @Override
  public synchronized byte[] get(Bytes key) {
    long bucket = SeenIdStore.bucketOf(key.get());
    if (oldestBucket == Long.MIN_VALUE || bucket < oldestBucket || bucket > newestBucket) {
      return null; // a bucket this store holds nothing in: no RocksDB lookup
    }
    byte[] value = stagedValues.get(key);
    if (value != null) {
      return value == DELETED ? null : value;
    }
    byte[] bytes = key.get();
    // Bloom filters and memtables answer most misses (new IDs) without a read; and RocksJava's
    // get() signals "not found" with a C++ exception, which cost 14 % of the stream thread's CPU.
    // (Without a value holder: RocksJava 10.1 hands back an empty value for keys it finds in an
    // SST file, which SeenIdBytesStoreTest caught.)
    if (!db.keyMayExist(data, readOptions, bytes, null)) {
      return null;
    }
    try {
      return db.get(data, readOptions, bytes);
    } catch (RocksDBException e) {
      throw new ProcessorStateException("seen-ID store read failed", e);
    }
  }

  @Override
  public synchronized void put(Bytes key, byte[] value) {
    if (value == null) {
      delete(key);
      return;
    }
    try {
      staged.put(data, key.get(), value);
      stagedValues.put(key, value);
      stagedBytes += key.get().length + value.length;
    } catch (RocksDBException e) {
      throw new ProcessorStateException("seen-ID store write failed", e);
    }
    noteBucket(SeenIdStore.bucketOf(key.get()));
  }

  @Override
  public synchronized byte[] putIfAbsent(Bytes key, byte[] value) {
    byte[] existing = get(key);
    if (existing == null) {
      put(key, value);
    }
    return existing;
  }

  @Override
  public synchronized void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    for (KeyValue<Bytes, byte[]> entry : entries) {
      put(entry.key, entry.value);
    }
  }

  @Override
  public synchronized byte[] delete(Bytes key) {
    byte[] existing = get(key);
    try {
      staged.delete(data, key.get());
      stagedValues.put(key, DELETED);
    } catch (RocksDBException e) {
      throw new ProcessorStateException("seen-ID store delete failed", e);
    }
    return existing;
  }

  @Override
  public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
    if (!open) {
      return;
    }
    try {
      for (Map.Entry<TopicPartition, Long> offset : changelogOffsets.entrySet()) {
        staged.put(offsets, offsetKey(offset.getKey()), longBytes(offset.getValue()));
      }
      if (staged.count() > 0) {
        db.write(writeOptions, staged);
        staged.clear();
        stagedValues.clear();
        stagedBytes = 0;
      }
      expire();
    } catch (RocksDBException e) {
      throw new ProcessorStateException("seen-ID store commit failed", e);
    }
  }

  @Override
  public synchronized Long committedOffset(TopicPartition partition) {
    try {
      byte[] offset = db.get(offsets, offsetKey(partition));
      return offset == null ? null : ByteBuffer.wrap(offset).getLong();
    } catch (RocksDBException e) {
      throw new ProcessorStateException("seen-ID store offsets unreadable", e);
    }
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return stagedBytes;
  }

  /** Writes restored changelog records straight to RocksDB; their offsets follow by commit. */
  private synchronized void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
    try (WriteBatch batch = new WriteBatch()) {
      for (KeyValue<byte[], byte[]> record : records) {
        KeyValue<byte[], byte[]> stored = SeenIdStore.fromChangelog(record);
        if (stored.value == null) {
          batch.delete(data, stored.key);
        } else {
          batch.put(data, stored.key, stored.value);
          noteBucket(SeenIdStore.bucketOf(stored.key));
        }
      }
      db.write(writeOptions, batch);
      expire();
    } catch (RocksDBException e) {
      throw new ProcessorStateException("seen-ID store restore failed", e);
    }
  }

  private void noteBucket(long bucket) {
    if (bucket > newestBucket) {
      newestBucket = bucket;
    }
    if (oldestBucket == Long.MIN_VALUE || bucket < oldestBucket) {
      oldestBucket = bucket;
    }
  }

  /** Drops every bucket more than 2W older than the newest: nothing can match them any more. */
  private void expire() throws RocksDBException {
    long keepFrom = newestBucket - 2 * window;
    if (oldestBucket == Long.MIN_VALUE || oldestBucket >= keepFrom) {
      return;
    }
    byte[] from = SeenIdStore.bucketPrefix(0);
    byte[] to = SeenIdStore.bucketPrefix(keepFrom);
    db.deleteFilesInRanges(data, List.of(from, to), false);
    db.deleteRange(data, writeOptions, from, to);
    EXPIRED_BUCKETS.add(Math.max(1, (keepFrom - oldestBucket) / window));
    oldestBucket = keepFrom;
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return iterate(from, to, true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return iterate(null, null, true);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return iterate(from, to, false);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return iterate(null, null, false);
  }

  /** Committed entries only: staged writes become visible at the commit. */
  private synchronized KeyValueIterator<Bytes, byte[]> iterate(
      Bytes from, Bytes to, boolean forward) {
    RocksIterator it = db.newIterator(data);
    if (forward) {
      if (from == null) {
        it.seekToFirst();
      } else {
        it.seek(from.get());
      }
    } else if (to == null) {
      it.seekToLast();
    } else {
      it.seekForPrev(to.get());
    }
    return new CommittedIterator(it, forward ? to : from, forward);
  }

  @Override
  public long approximateNumEntries() {
    return property("rocksdb.estimate-num-keys");
  }

  /** A numeric RocksDB property of the data, 0 once closed. */
  synchronized long property(String name) {
    try {
      return open ? db.getLongProperty(data, name) : 0;
    } catch (RocksDBException e) {
      return 0;
    }
  }

  /** Bytes of the store's files: SST files, write-ahead log, manifest. */
  long diskBytes() {
    File[] files = dir == null ? null : dir.listFiles();
    long bytes = 0;
    for (File file : files == null ? new File[0] : files) {
      bytes += file.length(); // 0 for a file RocksDB deleted meanwhile
    }
    return bytes;
  }

  /** Time buckets held now. */
  long buckets() {
    return !open || oldestBucket == Long.MIN_VALUE ? 0 : (newestBucket - oldestBucket) / window + 1;
  }

  @Override
  public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel isolationLevel) {
    return isolationLevel == IsolationLevel.READ_UNCOMMITTED ? this : new CommittedView();
  }

  @Override
  public Position getPosition() {
    return position;
  }

  /** Closes the store, dropping writes staged since the last commit (a dirty close loses them). */
  @Override
  public synchronized void close() {
    if (!open) {
      return;
    }
    open = false;
    OPEN.remove(this);
    staged.close();
    stagedValues.clear();
    data.close();
    offsets.close();
    db.close();
    if (configSetter != null) {
      configSetter.close(name, options);
    }
    writeOptions.close();
    readOptions.close();
    dataFamilyOptions.close();
    offsetsFamilyOptions.close();
    dbOptions.close();
    options.close();
    filter.close();
  }

  private static byte[] offsetKey(TopicPartition partition) {
    return (partition.topic() + "-" + partition.partition()).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] longBytes(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }

  /** Reads without the staged batch, for queries at READ_COMMITTED. */
  private final class CommittedView implements ReadOnlyKeyValueStore<Bytes, byte[]> {
    @Override
    public byte[] get(Bytes key) {
      try {
        return db.get(data, key.get());
      } catch (RocksDBException e) {
        throw new ProcessorStateException("seen-ID store read failed", e);
      }
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      return SeenIdBytesStore.this.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
      return SeenIdBytesStore.this.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      return SeenIdBytesStore.this.all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
      return SeenIdBytesStore.this.reverseAll();
    }

    @Override
    public long approximateNumEntries() {
      return SeenIdBytesStore.this.approximateNumEntries();
    }
  }

  /** A RocksDB iterator bounded by an inclusive end key. */
  private static final class CommittedIterator implements KeyValueIterator<Bytes, byte[]> {
    private final RocksIterator it;
    private final byte[] bound;
    private final boolean forward;

    CommittedIterator(RocksIterator it, Bytes bound, boolean forward) {
      this.it = it;
      this.bound = bound == null ? null : bound.get();
      this.forward = forward;
    }

    @Override
    public boolean hasNext() {
      if (!it.isValid()) {
        return false;
      }
      if (bound == null) {
        return true;
      }
      int order = Arrays.compareUnsigned(it.key(), bound);
      return forward ? order <= 0 : order >= 0;
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      KeyValue<Bytes, byte[]> entry = KeyValue.pair(Bytes.wrap(it.key()), it.value());
      if (forward) {
        it.next();
      } else {
        it.prev();
      }
      return entry;
    }

    @Override
    public Bytes peekNextKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return Bytes.wrap(it.key());
    }

    @Override
    public void close() {
      it.close();
    }
  }
}
