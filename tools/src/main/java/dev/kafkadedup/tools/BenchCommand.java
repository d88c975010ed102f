package dev.kafkadedup.tools;

import dev.kafkadedup.bench.BenchRunner;
import dev.kafkadedup.bench.BenchTable;
import dev.kafkadedup.bench.RecoveryBench;
import dev.kafkadedup.bench.RestoreBench;
import dev.kafkadedup.bench.StateBench;
import dev.kafkadedup.bench.Variant;
import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.store.BoundedMemoryRocksDbConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.Utils;
import org.rocksdb.RocksDBException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures this service against what a user would otherwise run, on the same preloaded data in one
 * run: an EOS passthrough with Kafka Streams' defaults, the same with this service's tuned
 * settings, the window-store and key-value dedup recipes at Kafka Streams' defaults, this service,
 * and this service at-least-once.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Preloads an input topic, then runs each variant on it (default, ceiling, windowstore,",
      "keyvalue, dedup, alos, idonly) and prints throughput from first read to last committed output,",
      "p50/p99 end-to-end latency at half that rate, and the ratios between variants. Without",
      "--bootstrap it starts a Kafka broker as a child process on loopback."
    })
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--records",
      defaultValue = "500000",
      description = "Input records (default: ${DEFAULT-VALUE}).")
  int records;

  @Mixin SampleDataOptions data;

  @Option(
      names = "--partitions",
      defaultValue = "12",
      description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--id-source",
      defaultValue = "json",
      description =
          "json: ID in the /id field, random keys (repartition); key: the ID is the key (default: ${DEFAULT-VALUE}).")
  String idSource;

  @Option(
      names = "--spread",
      defaultValue = "PT1H",
      description = "Timestamps span this much, ending now (default: ${DEFAULT-VALUE}).")
  Duration spread;

  @Option(
      names = "--window",
      defaultValue = "PT24H",
      description = "Dedup window (default: ${DEFAULT-VALUE}).")
  String window;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description = "Runs of each variant; the table shows medians (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--variants",
      split = ",",
      defaultValue = "default,ceiling,windowstore,keyvalue,dedup,alos",
      description = "Variants to run, in order (default: ${DEFAULT-VALUE}).")
  List<String> variants;

  @Option(
      names = "--latency-seconds",
      defaultValue = "10",
      description = "Length of each live latency phase (default: ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(
      names = "--variant-limit",
      defaultValue = "PT15M",
      description =
          "Time each variant gets for the backlog; one still running then is stopped and its rate shown as an upper bound (default: ${DEFAULT-VALUE}).")
  Duration variantLimit;

  @Option(
      names = "--warm-up",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the first variant once unrecorded before measuring, for class loading and JIT (default: ${DEFAULT-VALUE}).")
  boolean warmUp;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed of the data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--bootstrap",
      description = "A real cluster to run on instead of the embedded broker.")
  String bootstrap;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a service configuration key, e.g. --set kafka.commit.interval.ms=200. kafka.* keys"
              + " reach only the variants on this service's settings (ceiling, dedup, alos, idonly);"
              + " default, windowstore and keyvalue keep Kafka Streams' defaults.")
  Map<String, String> overrides = Map.of();

  @Option(
      names = "--state-only",
      description =
          "Benchmark the seen-ID store alone (no Kafka): --ids distinct IDs, hit and miss lookups, disk bytes per ID, RSS.")
  boolean stateOnly;

  @Option(
      names = "--restore-only",
      description =
          "Benchmark restoring --ids IDs from the changelog: a plain key-value store against the seen-ID store.")
  boolean restoreOnly;

  @Option(
      names = "--recovery",
      description =
          "Benchmark crash recovery of the packaged service as an OS process: --ids IDs in the"
              + " changelog, then RUNNING after a start on empty state, after kill -9 with the"
              + " state directory kept, and after kill -9 with it deleted.")
  boolean recovery;

  @Option(
      names = "--kill-only",
      description =
          "With --recovery: only the start on empty state and the restart after kill -9 (for very large stores).")
  boolean killOnly;

  @Option(
      names = "--service-jar",
      description = "With --recovery: the service jar to run (default: this one).")
  Path serviceJar;

  @Option(
      names = "--layout",
      defaultValue = "seen-ids",
      description =
          "With --recovery: the changelog layout to write, seen-ids or window-store (the layout"
              + " of kafka-dedup 0.1, for its jar) (default: ${DEFAULT-VALUE}).")
  String layout;

  @Option(
      names = "--ids",
      defaultValue = "10000000",
      description =
          "Distinct IDs for --state-only, --restore-only and --recovery (default: ${DEFAULT-VALUE}).")
  long ids;

  @Option(
      names = "--lookups",
      defaultValue = "1000000",
      description = "Hit and miss lookups each for --state-only (default: ${DEFAULT-VALUE}).")
  int lookups;

  @Option(
      names = "--rocksdb-memory-bytes",
      defaultValue = "0",
      description =
          "RocksDB bound for --state-only; 0 derives it as rocksdb.memory.bytes=0 does (default: ${DEFAULT-VALUE}).")
  long rocksDbMemoryBytes;

  @Override
  public Integer call() throws IOException, InterruptedException, RocksDBException {
    PrintStream out = System.out;
    if (stateOnly) {
      long bound =
          rocksDbMemoryBytes > 0 ? rocksDbMemoryBytes : BoundedMemoryRocksDbConfig.derivedBytes();
      new StateBench(ids, lookups, bound, out).run();
      return 0;
    }
    List<Variant> selected =
        variants.stream().map(v -> Variant.valueOf(v.trim().toUpperCase(Locale.ROOT))).toList();
    Path stateDir = Files.createTempDirectory("kafka-dedup-bench-state");
    EmbeddedKafkaBroker broker = bootstrap == null ? EmbeddedKafkaBroker.startChildProcess() : null;
    try {
      String servers = broker != null ? broker.bootstrapServers() : bootstrap;
      out.printf(
          "broker   : %s%n",
          broker != null ? "Kafka KRaft on " + servers + " (child process)" : servers);
      out.printf(
          "machine  : %d cores, JVM max heap %,d MiB, load average %.2f%n",
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      if (recovery) {
        new RecoveryBench(
                servers,
                partitions,
                ids,
                stateDir,
                serviceJar,
                layout.equals("window-store"),
                killOnly,
                out)
            .run();
        return 0;
      }
      if (restoreOnly) {
        new RestoreBench(servers, partitions, ids, stateDir.toString(), out).run();
        return 0;
      }
      Variant.Setup setup =
          new Variant.Setup(
              servers,
              "bench-input-" + seed,
              partitions,
              idSource.equals("key"),
              window,
              stateDir.toString(),
              overrides);
      BenchRunner runner =
          new BenchRunner(
              setup,
              records,
              data.duplicateRatio,
              data.valueBytes,
              spread,
              seed,
              Duration.ofSeconds(latencySeconds),
              variantLimit,
              warmUp,
              out);
      BenchTable.print(runner.run(selected, rounds), out);
      out.printf(
          "%nload average at the end %.2f%n",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      return 0;
    } finally {
      if (broker != null) {
        broker.close();
      }
      Utils.delete(stateDir.toFile());
    }
  }
}
