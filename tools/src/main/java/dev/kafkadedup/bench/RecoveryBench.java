package dev.kafkadedup.bench;

import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * Crash recovery of the packaged service as an OS process ({@code java -jar kafka-dedup.jar run}):
 * a changelog of {@code ids} IDs is written straight to the store's changelog topic, then the
 * service is started on empty local state (a full restore), SIGKILLed and started again on the same
 * state directory, and SIGKILLed once more and started with the state directory deleted. Reports
 * the time from process start to RUNNING, the changelog records restored and the tasks Kafka
 * Streams wiped, after each.
 *
 * <p>{@code --service-jar} and {@code --layout window-store} run an earlier version of the service
 * (kafka-dedup 0.1, with the window-store layout) the same way, for the comparison in
 * docs/benchmarks.md.
 */
public final class RecoveryBench {
  private static final String APPLICATION = "recovery-bench";
  private static final String INPUT = APPLICATION + "-in";
  private static final Duration WINDOW = Duration.ofDays(1);
  private static final Duration RUNNING_TIMEOUT = Duration.ofMinutes(60);

  /** New IDs the service processes before each SIGKILL, so that it runs transactions first. */
  private static final int LIVE_RECORDS = 20_000;

  /** One restart: what came before it, time to RUNNING, records restored, tasks wiped. */
  record Result(String after, long toRunningMillis, long restored, long wiped) {}

  private final String bootstrapServers;
  private final int partitions;
  private final long ids;
  private final Path workDir;
  private final Path serviceJar;
  private final SeenIdChangelog.Layout layout;
  private final boolean killOnly;
  private final PrintStream out;

  public RecoveryBench(
      String bootstrapServers,
      int partitions,
      long ids,
      Path workDir,
      Path serviceJar,
      boolean windowStoreLayout,
      boolean killOnly,
      PrintStream out) {
    this.bootstrapServers = bootstrapServers;
    this.partitions = partitions;
    this.ids = ids;
    this.workDir = workDir;
    this.serviceJar = serviceJar == null ? ServiceProcess.packagedJar() : serviceJar;
    this.layout =
        windowStoreLayout ? SeenIdChangelog.Layout.WINDOW_STORE : SeenIdChangelog.Layout.SEEN_IDS;
    this.killOnly = killOnly;
    this.out = out;
  }

  public void run() throws IOException, InterruptedException {
    Path stateDir = workDir.resolve("state");
    BenchRunner.createTopics(
        bootstrapServers, partitions, INPUT, APPLICATION + "-out", APPLICATION + "-dlq");
    ServiceProcess service =
        new ServiceProcess(
            APPLICATION,
            serviceJar,
            writeConfig(workDir, stateDir, "0", false),
            ServiceProcess.writeLogback(workDir),
            workDir.resolve("service.log"));
    List<Result> results = new ArrayList<>();
    try {
      // a first start creates the changelog topic as the service configures it
      service.start();
      service.awaitRunning(RUNNING_TIMEOUT);
      service.terminate();
      Utils.delete(stateDir.toFile());
      long started = System.nanoTime();
      SeenIdChangelog.write(
          bootstrapServers, APPLICATION + "-seen-ids-changelog", partitions, ids, WINDOW, layout);
      out.printf(
          "recovery : %s, wrote a changelog of %,d IDs (%s layout) in %.1f s%n",
          serviceJar.getFileName(), ids, layout, (System.nanoTime() - started) / 1e9);

      results.add(restart(service, "start, state directory empty"));
      processLiveRecords(0);
      service.kill();
      results.add(restart(service, "kill -9, state directory kept"));
      if (!killOnly) {
        processLiveRecords(1);
        service.kill();
        Utils.delete(stateDir.toFile());
        results.add(restart(service, "kill -9, state directory deleted"));
      }
      service.terminate();
      if (!killOnly) {
        results.add(failOver(stateDir));
      }
    } finally {
      service.destroy();
    }
    out.printf(
        "%n| after | to RUNNING s | records restored | tasks wiped |%n|---|---:|---:|---:|%n");
    for (Result r : results) {
      out.printf(
          "| %s | %.1f | %,d | %d |%n",
          r.after(), r.toRunningMillis() / 1000.0, r.restored(), r.wiped());
    }
    out.printf(
        "%n%,d IDs, %d partitions, load average at the end %.2f%n",
        ids, partitions, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /**
   * Two instances with one standby replica each; the first dies for good. Its partitions stay with
   * it until the session times out (static membership), then move to the survivor, which holds
   * their state already.
   */
  private Result failOver(Path stateDir) throws IOException, InterruptedException {
    List<ServiceProcess> pair = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      Path dir = Files.createDirectories(workDir.resolve(name));
      pair.add(
          new ServiceProcess(
              APPLICATION + "-" + name,
              serviceJar,
              writeConfig(dir, stateDir.resolveSibling("state-" + name), name, true),
              ServiceProcess.writeLogback(dir),
              dir.resolve("service.log")));
    }
    try {
      for (ServiceProcess instance : pair) {
        instance.start();
      }
      for (ServiceProcess instance : pair) {
        instance.awaitRunning(RUNNING_TIMEOUT);
      }
      processLiveRecords(2);
      // standbys catch up with the changelog in the background: wait until neither restores
      ServiceProcess survivor = pair.get(1);
      TimeUnit.SECONDS.sleep(10);
      long runningBefore = survivor.countLog("-> RUNNING");
      long restoredBefore = survivor.restoredRecordsSoFar();
      long killed = System.nanoTime();
      pair.get(0).kill();
      if (!survivor.awaitLogCount("-> RUNNING", runningBefore, RUNNING_TIMEOUT)) {
        throw new IllegalStateException("survivor not RUNNING after the fail-over");
      }
      long toRunning = (System.nanoTime() - killed) / 1_000_000;
      long restored = survivor.restoredRecordsSoFar() - restoredBefore;
      out.printf(
          "recovery : fail-over to the standby: RUNNING %.1f s after the kill, %,d records"
              + " restored%n",
          toRunning / 1000.0, restored);
      return new Result("kill -9 for good, survivor with standby", toRunning, restored, 0);
    } finally {
      for (ServiceProcess instance : pair) {
        instance.destroy();
      }
    }
  }

  private Result restart(ServiceProcess service, String after) throws InterruptedException {
    service.start();
    long toRunning = service.awaitRunning(RUNNING_TIMEOUT);
    Result result =
        new Result(after, toRunning, service.restored().records(), service.wipedTasks());
    out.printf(
        "recovery : %s: RUNNING in %.1f s, %,d records restored, %d tasks wiped%n",
        after, toRunning / 1000.0, result.restored(), result.wiped());
    return result;
  }

  /** Sends new IDs and waits a moment, so that the service commits them before the SIGKILL. */
  private void processLiveRecords(int round) throws InterruptedException {
    try (AckedProducer<byte[], byte[]> producer = BenchData.producer(bootstrapServers)) {
      for (int n = 0; n < LIVE_RECORDS; n++) {
        byte[] id = ("live-" + round + "-" + n).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(INPUT, id, id));
      }
    }
    TimeUnit.SECONDS.sleep(2);
  }

  private Path writeConfig(Path dir, Path stateDir, String instance, boolean standby)
      throws IOException {
    Properties config = new Properties();
    config.put("kafka.bootstrap.servers", bootstrapServers);
    config.put("kafka.application.id", APPLICATION);
    config.put("kafka.state.dir", stateDir.toString());
    // static membership: a restarted instance takes its partitions back without a rebalance
    config.put("instance.id", APPLICATION + "-" + instance);
    // the Kafka Streams key, which kafka-dedup 0.1 (--service-jar) understands too
    config.put("kafka.num.standby.replicas", standby ? "1" : "0");
    config.put("http.host", "127.0.0.1");
    config.put("http.port", "0");
    config.put("input.topics", INPUT);
    config.put("output.topic", APPLICATION + "-out");
    config.put("dead.letter.topic", APPLICATION + "-dlq");
    config.put("id.source", "key");
    config.put("window.size", WINDOW.toString());
    return ServiceProcess.writeConfig(dir.resolve("recovery.properties"), config);
  }
}
