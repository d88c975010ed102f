package dev.kafkadedup.store;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the RocksDB memory of the whole process: every store of every task shares one block cache,
 * and memtables are charged to that same cache through one write buffer manager, so the total stays
 * near {@value #MEMORY_BYTES_CONFIG} however many partitions this instance owns. Without it each
 * segment of each task gets its own cache and memtables, which is how stateful Streams pods get
 * OOMKilled as partitions move.
 *
 * <p>Index and filter blocks live in the cache too (high priority, so data blocks are evicted
 * first). Kafka Streams' bloom filters are kept on every level: Kafka Streams' default {@code
 * optimizeFiltersForHits=true} drops them on the bottom level, where most IDs are, and a miss — a
 * new ID, the common case in dedup — then reads a data block instead of answering from the filter.
 *
 * <p>The layout suits random keys that are mostly absent: level compaction (a lookup reads at most
 * one file per level, where Kafka Streams' default universal compaction may stack many sorted runs,
 * and space overhead stays near a tenth), a bloom filter on the memtable too, and block compression
 * — the digests themselves do not compress, but the bucket start and sequence number Kafka Streams
 * appends to every key, RocksDB's per-entry sequence numbers and the repeated topic names in the
 * values do, which halves the bytes per ID. LZ4 where data is rewritten often, Zstandard on the
 * bottom level, where most IDs rest.
 *
 * <p>Registered by {@code DedupConfig} as {@code rocksdb.config.setter}; reads the bound from the
 * Streams property {@value #MEMORY_BYTES_CONFIG}.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {
  /** Streams property with the process-wide bound in bytes, resolved by the service config. */
  public static final String MEMORY_BYTES_CONFIG = "kafkadedup.rocksdb.memory.bytes";

  private static final long MIB = 1024L * 1024;
  private static final long DERIVED_MIN = 16 * MIB;
  private static final long DERIVED_MAX = 256 * MIB;

  /** Share of the cache that memtables may take before RocksDB flushes them. */
  private static final double WRITE_BUFFER_SHARE = 0.25;

  /** Share of the cache reserved for index and filter blocks. */
  private static final double HIGH_PRIORITY_SHARE = 0.2;

  private static final long METADATA_BLOCK_BYTES = 4096;

  /**
   * Memtables per write-buffer budget. RocksDB reserves a memtable's arena blocks and its bloom
   * filter from its nominal size when it creates one, and charges both to the write buffer manager:
   * with RocksDB's 64 MiB default a dozen stores overran the budget at once, so every commit forced
   * a flush and allocated a new 6 MiB bloom filter (measured: 9 % of the stream thread's CPU, and
   * lookups slowed by many tiny L0 files).
   */
  private static final int MEMTABLES_PER_BUDGET = 8;

  private static final long MIN_WRITE_BUFFER = MIB;
  private static final long MAX_WRITE_BUFFER = 16 * MIB;

  /** Share of a memtable's size given to its bloom filter (RocksDB suggests up to 0.25). */
  private static final double MEMTABLE_BLOOM_RATIO = 0.1;

  /** One cache per bound for the life of the process (stores come and go, the budget stays). */
  private static final Map<Long, SharedMemory> SHARED = new ConcurrentHashMap<>();

  private record SharedMemory(Cache cache, WriteBufferManager writeBuffers, long memtableBytes) {
    static SharedMemory of(long bytes) {
      Cache cache = new LRUCache(bytes, -1, false, HIGH_PRIORITY_SHARE);
      long budget = (long) (bytes * WRITE_BUFFER_SHARE);
      return new SharedMemory(
          cache,
          new WriteBufferManager(budget, cache),
          Math.max(MIN_WRITE_BUFFER, Math.min(MAX_WRITE_BUFFER, budget / MEMTABLES_PER_BUDGET)));
    }
  }

  /**
   * The bound used when none is configured: a quarter of the memory visible to the JVM (the
   * container's limit in a container) left over after the maximum heap, within 16 MiB and 256 MiB.
   */
  public static long derivedBytes() {
    return derivedBytes(
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize(),
        Runtime.getRuntime().maxMemory());
  }

  /** {@link #derivedBytes()} for {@code visibleBytes} of memory and a heap of {@code maxHeap}. */
  static long derivedBytes(long visibleBytes, long maxHeap) {
    long offHeap = Math.max(0, visibleBytes - maxHeap);
    return Math.max(DERIVED_MIN, Math.min(DERIVED_MAX, offHeap / 4));
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object configured = configs.get(MEMORY_BYTES_CONFIG);
    long bytes = configured == null ? derivedBytes() : Long.parseLong(String.valueOf(configured));
    SharedMemory shared = SHARED.computeIfAbsent(bytes, SharedMemory::of);

    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(shared.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    // Partitioned index and filters: a lookup loads one 4 KiB partition of a file's filter, not
    // the whole filter (megabytes per file at 100M IDs), so a cache far smaller than all the
    // filters together still answers misses without thrashing
    table.setIndexType(IndexType.kTwoLevelIndexSearch);
    table.setPartitionFilters(true);
    table.setMetadataBlockSize(METADATA_BLOCK_BYTES);
    table.setPinTopLevelIndexAndFilter(true);
    // new IDs land in L0 first, where every lookup checks every file's filter
    table.setPinL0FilterAndIndexBlocksInCache(true);
    options.setTableFormatConfig(table);
    options.setOptimizeFiltersForHits(false);
    options.setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO);
    options.setMemtableWholeKeyFiltering(true);
    options.setCompactionStyle(CompactionStyle.LEVEL);
    options.setLevelCompactionDynamicLevelBytes(true);
    options.setCompressionType(CompressionType.LZ4_COMPRESSION);
    options.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    options.setWriteBufferManager(shared.writeBuffers());
    options.setWriteBufferSize(shared.memtableBytes());
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared by every store of the process: never closed
    // here. The bloom filter is Kafka Streams' own, which it closes.
  }
}
