package dev.kafkadedup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDbConfigTest {
  private static final long BOUND = 8L * 1024 * 1024;

  @Test
  void shouldShareOneCacheKeepFiltersOnEveryLevelAndCompressLevels(@TempDir Path dir)
      throws Exception {
    RocksDB.loadLibrary();
    try (Options first = streamsLikeOptions();
        Options second = streamsLikeOptions()) {
      BoundedMemoryRocksDbConfig setter = new BoundedMemoryRocksDbConfig();
      Map<String, Object> configs = Map.of(BoundedMemoryRocksDbConfig.MEMORY_BYTES_CONFIG, BOUND);
      setter.setConfig("a", first, configs);
      setter.setConfig("b", second, configs);

      BlockBasedTableConfig a = (BlockBasedTableConfig) first.tableFormatConfig();
      assertThat(first.optimizeFiltersForHits()).isFalse();
      assertThat(a.cacheIndexAndFilterBlocks()).isTrue();
      assertThat(a.partitionFilters()).isTrue();
      assertThat(a.indexType()).isEqualTo(IndexType.kTwoLevelIndexSearch);
      assertThat(first.writeBufferManager()).isSameAs(second.writeBufferManager());
      // an eighth of the write-buffer quarter of the bound, within 1 and 16 MiB
      assertThat(first.writeBufferSize())
          .isEqualTo(Math.max(1L << 20, Math.min(16L << 20, BOUND / 4 / 8)));
      assertThat(a.pinL0FilterAndIndexBlocksInCache()).isTrue();
      assertThat(first.compactionStyle()).isEqualTo(CompactionStyle.LEVEL);
      assertThat(first.compressionType()).isEqualTo(CompressionType.LZ4_COMPRESSION);
      assertThat(first.bottommostCompressionType()).isEqualTo(CompressionType.ZSTD_COMPRESSION);

      try (RocksDB one = RocksDB.open(first, dir.resolve("a").toString());
          RocksDB two = RocksDB.open(second, dir.resolve("b").toString())) {
        one.put(new byte[] {1}, new byte[] {2});
        // through a flush and a compaction to the bottom level: both codecs are in the native
        // library
        one.flush(new FlushOptions().setWaitForFlush(true));
        one.compactRange();
        assertThat(one.get(new byte[] {1})).containsExactly(2);
        for (RocksDB db : new RocksDB[] {one, two}) {
          assertThat(db.getProperty("rocksdb.block-cache-capacity"))
              .isEqualTo(Long.toString(BOUND));
        }
      }
    }
  }

  @Test
  void shouldDeriveABoundWithinLimits() {
    long mib = 1024L * 1024;
    // a quarter of what the heap leaves
    assertThat(BoundedMemoryRocksDbConfig.derivedBytes(1024 * mib, 512 * mib)).isEqualTo(128 * mib);
    assertThat(BoundedMemoryRocksDbConfig.derivedBytes(2048 * mib, 1024 * mib))
        .isEqualTo(256 * mib);
    // no more than 256 MiB on a large host, no less than 16 MiB when the heap takes it all
    assertThat(BoundedMemoryRocksDbConfig.derivedBytes(64 * 1024 * mib, 4096 * mib))
        .isEqualTo(256 * mib);
    assertThat(BoundedMemoryRocksDbConfig.derivedBytes(1024 * mib, 1000 * mib)).isEqualTo(16 * mib);
    assertThat(BoundedMemoryRocksDbConfig.derivedBytes(512 * mib, 1024 * mib)).isEqualTo(16 * mib);
    // this JVM's bound, from its real memory and heap
    assertThat(BoundedMemoryRocksDbConfig.derivedBytes()).isBetween(16 * mib, 256 * mib);
  }

  private static Options streamsLikeOptions() {
    Options options = new Options().setCreateIfMissing(true).setOptimizeFiltersForHits(true);
    options.setTableFormatConfig(new BlockBasedTableConfig());
    return options;
  }
}
