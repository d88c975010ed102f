package dev.kafkadedup.bench;

import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.store.BoundedMemoryRocksDbConfig;
import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Utils;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The seen-ID store at scale, without Kafka: one RocksDB segment opened with Kafka Streams' default
 * options for a persistent store and then this service's {@link BoundedMemoryRocksDbConfig}, filled
 * with {@code ids} distinct IDs in the seen-ID store's key layout (8-byte bucket start, 12-byte
 * digest) and compact {@link FirstOccurrence} values spread over a day, then probed with hits and
 * misses. Reports lookups per second, disk bytes per ID and the process RSS against the bound.
 *
 * <p>It drives RocksDB directly with the store's layout and options, not through Kafka Streams'
 * store layers (metering, changelogging), so it measures the storage engine's share of a lookup.
 */
public final class StateBench {
  private static final int BATCH = 10_000;
  private static final long BUCKET = 1_764_115_200_000L;

  private static final long DAY_MILLIS = 86_400_000L;
  private static final int PARTITIONS = 12;

  private final long ids;
  private final int lookups;
  private final long memoryBytes;
  private final PrintStream out;

  public StateBench(long ids, int lookups, long memoryBytes, PrintStream out) {
    this.ids = ids;
    this.lookups = lookups;
    this.memoryBytes = memoryBytes;
    this.out = out;
  }

  public void run() throws IOException, RocksDBException {
    RocksDB.loadLibrary();
    Path dir = Files.createTempDirectory("kafka-dedup-state-bench");
    try (Options options = streamsDefaultOptions();
        WriteOptions noWal = new WriteOptions().setDisableWAL(true)) {
      new BoundedMemoryRocksDbConfig()
          .setConfig(
              "seen-ids",
              options,
              Map.of(BoundedMemoryRocksDbConfig.MEMORY_BYTES_CONFIG, memoryBytes));
      try (RocksDB db = RocksDB.open(options, dir.toString())) {
        out.printf(
            "state    : %,d distinct IDs, RocksDB bound %,d MiB, JVM max heap %,d MiB%n",
            ids, memoryBytes >> 20, Runtime.getRuntime().maxMemory() >> 20);
        long start = System.nanoTime();
        SplittableRandom values = new SplittableRandom(11);
        for (long n = 0; n < ids; ) {
          try (WriteBatch batch = new WriteBatch()) {
            for (long end = Math.min(ids, n + BATCH); n < end; n++) {
              batch.put(key(n), value(n, values));
            }
            db.write(noWal, batch);
          }
          if (n % 1_000_000 == 0) {
            out.printf(
                "\rload     : %,d / %,d IDs  %.0f s  RSS %,d MiB   ",
                n, ids, (System.nanoTime() - start) / 1e9, rssBytes() >> 20);
            out.flush();
          }
        }
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
          db.flush(flush);
        }
        out.printf(
            "%nloaded   : %,.0f IDs/s; on disk %.1f B/ID after flush%n",
            ids / loadSeconds, (double) liveSstBytes(db) / ids);

        SplittableRandom random = new SplittableRandom(7);
        printLookups("as loaded", db, random);
        db.compactRange();
        out.printf("disk     : %.1f B/ID after full compaction%n", (double) liveSstBytes(db) / ids);
        printLookups("compacted", db, random);
        out.printf(
            "memory   : RSS %,d MiB (RocksDB bound %,d MiB, JVM heap in use %,d MiB)%n",
            rssBytes() >> 20,
            memoryBytes >> 20,
            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
      }
    } finally {
      Utils.delete(dir.toFile());
    }
  }

  private void printLookups(String state, RocksDB db, SplittableRandom random)
      throws RocksDBException {
    double hitMicros = probe(db, random, 0);
    double missMicros = probe(db, random, ids);
    out.printf(
        "lookups  : %s: hit %.2f µs (%,.0f/s), miss %.2f µs (%,.0f/s), %,d each, random IDs%n",
        state, hitMicros, 1e6 / hitMicros, missMicros, 1e6 / missMicros, lookups);
  }

  /**
   * Average µs per lookup of random IDs from {@code base} (0: stored, {@code ids}: never stored).
   */
  private double probe(RocksDB db, SplittableRandom random, long base) throws RocksDBException {
    byte[][] keys = new byte[lookups][];
    for (int i = 0; i < lookups; i++) {
      keys[i] = key(base + random.nextLong(ids));
    }
    long start = System.nanoTime();
    int found = 0;
    for (byte[] key : keys) {
      if (db.get(key) != null) {
        found++;
      }
    }
    double micros = (System.nanoTime() - start) / 1e3 / lookups;
    int expected = base == 0 ? lookups : 0;
    if (found != expected) {
      throw new IllegalStateException("expected " + expected + " hits, found " + found);
    }
    return micros;
  }

  /** A first occurrence somewhere in a day-long bucket, on one of 12 partitions. */
  private static byte[] value(long n, SplittableRandom random) {
    long offset = 40_000_000L + n / PARTITIONS;
    return new FirstOccurrence(
            BUCKET + random.nextLong(DAY_MILLIS), "events", random.nextInt(PARTITIONS), offset)
        .encode(BUCKET);
  }

  private static byte[] key(long n) {
    return SeenIdStore.storedKey(
        IdEncoding.DIGEST.encode(("evt-" + n).getBytes(StandardCharsets.UTF_8)), BUCKET);
  }

  /** What Kafka Streams' RocksDB store sets before calling the config setter. */
  private static Options streamsDefaultOptions() {
    BlockBasedTableConfig table = new BlockBasedTableConfig();
    table.setBlockCache(new LRUCache(50L * 1024 * 1024));
    table.setBlockSize(4096L);
    table.setFilterPolicy(new BloomFilter());
    Options options = new Options();
    options.setTableFormatConfig(table);
    options.setOptimizeFiltersForHits(true);
    options.setWriteBufferSize(16L * 1024 * 1024);
    options.setCompressionType(CompressionType.NO_COMPRESSION);
    options.setCompactionStyle(CompactionStyle.UNIVERSAL);
    options.setMaxWriteBufferNumber(3);
    options.setCreateIfMissing(true);
    options.setInfoLogLevel(InfoLogLevel.ERROR_LEVEL);
    options.setIncreaseParallelism(Math.max(Runtime.getRuntime().availableProcessors(), 2));
    return options;
  }

  /** Bytes in the live SST files, once background compactions have settled. */
  private static long liveSstBytes(RocksDB db) throws RocksDBException {
    while (db.getLongProperty("rocksdb.compaction-pending") > 0
        || db.getLongProperty("rocksdb.num-running-compactions") > 0) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for compactions", e);
      }
    }
    return db.getLiveFilesMetaData().stream().mapToLong(LiveFileMetaData::size).sum();
  }

  /** Resident set size of this process, from /proc (Linux); 0 elsewhere. */
  static long rssBytes() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines
          .filter(l -> l.startsWith("VmRSS:"))
          .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
          .findFirst()
          .orElse(0);
    } catch (IOException e) {
      return 0;
    }
  }
}
