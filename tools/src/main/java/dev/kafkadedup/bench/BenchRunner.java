package dev.kafkadedup.bench;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.kafka.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Runs the variants one after another, each on an input topic of its own preloaded with the same
 * records, and prints one table. Each variant is timed from its first read to the moment its last
 * output record is visible to a {@code read_committed} consumer; then records with fresh IDs are
 * produced live at half that rate for a while, and their end-to-end latency (visible at the output
 * minus the record timestamp) gives p50/p99.
 */
public final class BenchRunner {
  /**
   * One variant's figures in one round. A variant stopped at the time limit gets an upper bound for
   * its rate (the whole backlog over the time it had since its first read) and no latencies.
   */
  public record Result(double recordsPerSecond, long p50Millis, long p99Millis, boolean finished) {
    static Result stopped(long backlog, double seconds) {
      return new Result(backlog / seconds, -1, -1, false);
    }
  }

  private final Variant.Setup setup;
  private final BenchData data;
  private final Duration latencyPhase;
  private final Duration variantLimit;
  private final boolean warmUp;
  private final PrintStream out;

  public BenchRunner(
      Variant.Setup setup,
      int records,
      double duplicateRatio,
      int valueBytes,
      Duration spread,
      long seed,
      Duration latencyPhase,
      Duration variantLimit,
      boolean warmUp,
      PrintStream out) {
    this.setup = setup;
    this.data =
        new BenchData(
            setup.inputTopic(), records, duplicateRatio, valueBytes, spread, setup.idInKey(), seed);
    this.latencyPhase = latencyPhase;
    this.variantLimit = variantLimit;
    this.warmUp = warmUp;
    this.out = out;
  }

  /** Creates an input topic and fills it with the benchmark's records; the distinct IDs. */
  private int preload(BenchData data) {
    createTopics(data.topic());
    long start = System.nanoTime();
    int[] sent = {0};
    int uniqueIds =
        data.preload(
            setup.bootstrapServers(),
            () -> {
              sent[0] += 0x10000;
              progress("preload", Math.min(sent[0], data.records()), data.records(), start);
            });
    out.printf(
        "%npreloaded %,d records (%,d distinct IDs) in %.1f s%n",
        data.records(), uniqueIds, (System.nanoTime() - start) / 1e9);
    return uniqueIds;
  }

  /** Runs each variant {@code rounds} times, interleaved, and returns the results per variant. */
  public Map<Variant, List<Result>> run(List<Variant> variants, int rounds)
      throws InterruptedException {
    Map<Variant, List<Result>> results = new EnumMap<>(Variant.class);
    // One unrecorded run first, so no variant pays for this JVM's class loading and JIT warm-up.
    if (warmUp) {
      runOne(variants.get(0), 0);
    }
    for (int round = 1; round <= rounds; round++) {
      for (Variant variant : variants) {
        Result result = runOne(variant, round);
        results.computeIfAbsent(variant, v -> new ArrayList<>()).add(result);
        if (result.finished()) {
          out.printf(
              "\r%-12s round %d: %,9.0f records/s  p50 %,5d ms  p99 %,5d ms%-30s%n",
              variant.label(),
              round,
              result.recordsPerSecond(),
              result.p50Millis(),
              result.p99Millis(),
              "");
        } else {
          out.printf(
              "\r%-12s round %d: stopped after %s: < %,.0f records/s%-30s%n",
              variant.label(), round, variantLimit, result.recordsPerSecond(), "");
        }
      }
    }
    return results;
  }

  private Result runOne(Variant variant, int round) throws InterruptedException {
    String input = setup.inputTopic() + "-" + variant.label() + "-" + round;
    Variant.Setup setup = this.setup.withInputTopic(input);
    BenchData data = this.data.withTopic(input);
    int uniqueIds = preload(data);
    DedupConfig config = DedupConfig.from(variant.settings(setup, round));
    createTopics(config.outputTopic(), config.deadLetterTopic());
    long backlog = data.records();
    long expected = variant.dedups() ? uniqueIds : data.records();
    Properties props = variant.properties(setup, config);
    props.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
        FirstReadClock.class.getName());
    FirstReadClock.reset();
    try (OutputWatcher watcher =
            new OutputWatcher(setup.bootstrapServers(), config.outputTopic(), setup.partitions());
        KafkaStreams streams = new KafkaStreams(variant.topology(setup, config), props)) {
      watcher.expect(expected);
      long started = System.nanoTime();
      streams.start();
      if (!awaitCount(variant, watcher, expected, started, streams)) {
        Result stopped =
            Result.stopped(backlog, (System.nanoTime() - FirstReadClock.firstReadNanos()) / 1e9);
        streams.close(Duration.ofSeconds(30));
        streams.cleanUp();
        return stopped;
      }
      long firstRead = FirstReadClock.firstReadNanos();
      double seconds = (watcher.targetReachedNanos() - firstRead) / 1e9;
      double rate = backlog / seconds;

      long liveFrom = System.currentTimeMillis();
      watcher.measureLatencyFrom(liveFrom);
      int live = produceLive(data, rate / 2);
      if (!awaitCount(variant, watcher, expected + live, System.nanoTime(), streams)) {
        throw new IllegalStateException(
            variant.label() + ": live records not all out after " + variantLimit);
      }
      long[] latencies = watcher.sortedLatencies();
      streams.close(Duration.ofSeconds(30));
      streams.cleanUp();
      return new Result(rate, percentile(latencies, 0.50), percentile(latencies, 0.99), true);
    }
  }

  /** Whether the output reached {@code target} records within the variant's time limit. */
  private boolean awaitCount(
      Variant variant, OutputWatcher watcher, long target, long started, KafkaStreams streams)
      throws InterruptedException {
    long deadline = started + variantLimit.toNanos();
    while (watcher.count() < target) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      if (streams.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException(
            variant.label()
                + ": "
                + watcher.count()
                + " of "
                + target
                + " output records after "
                + Duration.ofNanos(System.nanoTime() - started).toSeconds()
                + " s, streams "
                + streams.state());
      }
      progress(variant.label(), watcher.count(), target, started);
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return true;
  }

  /** Produces records with fresh IDs at {@code perSecond} for the latency phase. */
  private int produceLive(BenchData data, double perSecond) throws InterruptedException {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, setup.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    SplittableRandom random = new SplittableRandom(data.seed() + 1);
    long start = System.nanoTime();
    long end = start + latencyPhase.toNanos();
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long now = start; now < end; now = System.nanoTime()) {
        long due = (long) ((now - start) / 1e9 * perSecond);
        while (sent < due) {
          producer.send(data.live(sent++, random));
        }
        progress("live", sent, (long) (latencyPhase.toSeconds() * perSecond), start);
        TimeUnit.MILLISECONDS.sleep(5);
      }
      producer.flush();
    }
    return sent;
  }

  private void createTopics(String... names) {
    createTopics(setup.bootstrapServers(), setup.partitions(), names);
  }

  /**
   * Creates the topics that do not exist yet, with the broker's replication factor, and waits until
   * every partition is served.
   */
  static void createTopics(String bootstrapServers, int partitions, String... names) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Topics.create(
          admin,
          Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) -1)).toList(),
          Duration.ofSeconds(60));
    }
  }

  private long lastProgressNanos;

  private void progress(String phase, long done, long total, long startNanos) {
    long now = System.nanoTime();
    if (now - lastProgressNanos < 500_000_000L) {
      return;
    }
    lastProgressNanos = now;
    out.printf(
        "\r%-12s %,11d / %,11d (%3.0f%%) %5.0f s   ",
        phase, done, total, 100.0 * done / Math.max(1, total), (now - startNanos) / 1e9);
    out.flush();
  }

  private static long percentile(long[] sorted, double p) {
    return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)];
  }
}
