package dev.kafkadedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ServiceProcess;
import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recovery of a large seen-ID store, with the packaged service as an OS process: {@code
 * recovery.ids} IDs (default 100,000; docs/benchmarks.md quotes larger runs) are written straight
 * to the store's changelog topic — far faster than processing as many records — and the service
 * restores them into empty local state, then restarts after a SIGKILL.
 *
 * <p>Every other ID is written in the changelog format of the earlier window-store layout, as an
 * upgraded deployment's changelog holds it: the restore converts those records.
 *
 * <p>Prints the restore rate and the time from process start to RUNNING (the figures in
 * docs/benchmarks.md); asserts that restored IDs are remembered (their repeats go to the duplicates
 * topic), that nothing is lost or repeated across the SIGKILL, and that the SIGKILL wiped no task
 * and the restart replayed only the changelog's tail.
 */
@Timeout(3600)
class RecoveryIT {
  private static final String INPUT = "recovery-in";
  private static final String NAME = "eos";
  private static final String APPLICATION = "recovery-" + NAME;
  private static final String OUTPUT = APPLICATION + "-out";
  private static final String DUPLICATES = APPLICATION + "-dup";
  private static final String DEAD_LETTERS = APPLICATION + "-dlq";
  private static final int PARTITIONS = 12;
  private static final Duration WINDOW = Duration.ofDays(1);
  private static final Duration RUNNING_TIMEOUT = Duration.ofMinutes(20);

  /** Records produced in each check: repeats of restored IDs, and as many new IDs. */
  private static final int SAMPLE = 2_000;

  @Test
  void shouldRestoreLargeStateAndSurviveKill() throws Exception {
    int ids = Integer.getInteger("recovery.ids", 100_000);
    Path dir = ServiceProcess.packagedJar().resolveSibling("recovery");
    Utils.delete(dir.toFile()); // an earlier failed run's broker and state
    Files.createDirectories(dir);
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.startChildProcess(dir.resolve("broker"))) {
      broker.createTopics(PARTITIONS, INPUT);
      new Run(broker, dir, ids).recoverTwice();
    }
    Utils.delete(dir.resolve("broker").toFile());
  }

  /** The service under test, its configuration and what it has been sent. */
  private static final class Run {
    private final EmbeddedKafkaBroker broker;
    private final int ids;
    private final Path stateDir;
    private final ServiceProcess service;
    private final Properties config = new Properties();
    private final SplittableRandom random = new SplittableRandom(20261126);
    private int fresh;

    Run(EmbeddedKafkaBroker broker, Path dir, int ids) throws IOException {
      this.broker = broker;
      this.ids = ids;
      this.stateDir = dir.resolve("state-" + NAME);
      config.put("kafka.bootstrap.servers", broker.bootstrapServers());
      config.put("kafka.application.id", APPLICATION);
      config.put("kafka.state.dir", stateDir.toString());
      // static membership: a restarted instance takes its partitions back without a rebalance
      config.put("instance.id", "recovery-0");
      config.put("http.host", "127.0.0.1");
      config.put("http.port", "0");
      config.put("input.topics", INPUT);
      config.put("output.topic", OUTPUT);
      config.put("duplicates.topic", DUPLICATES);
      config.put("dead.letter.topic", DEAD_LETTERS);
      config.put("id.source", "key");
      config.put("window.size", WINDOW.toString());
      this.service =
          new ServiceProcess(
              NAME,
              ServiceProcess.packagedJar(),
              ServiceProcess.writeConfig(dir.resolve(NAME + ".properties"), config),
              ServiceProcess.writeLogback(dir),
              dir.resolve("service-" + NAME + ".log"));
      broker.createTopics(PARTITIONS, OUTPUT, DUPLICATES, DEAD_LETTERS);
    }

    void recoverTwice() throws Exception {
      try {
        // a first clean run creates the changelog topic as the service would; then the local
        // state goes, and the changelog gets its IDs
        service.start();
        service.awaitRunning(RUNNING_TIMEOUT);
        service.terminate();
        Utils.delete(stateDir.toFile());
        long written = writeChangelog();

        service.start();
        report("empty local state", service.awaitRunning(RUNNING_TIMEOUT));
        // at least: a restore interrupted by a task move counts the partition again
        assertThat(service.restored().records())
            .as("records restored")
            .isGreaterThanOrEqualTo(written);
        check(1);

        // SIGKILL once the checked records are committed: the restart finds local state without a
        // checkpoint. (A SIGKILL in the middle of a transaction is ChaosIT's part.)
        service.kill();
        service.start();
        report("SIGKILL", service.awaitRunning(RUNNING_TIMEOUT));
        assertThat(service.wipedTasks()).as("tasks wiped after the SIGKILL").isZero();
        // the store committed its state with the last transactions: what is left to replay is at
        // most the changelog records of the check, not the restored IDs
        assertThat(service.restored().records())
            .as("changelog records replayed after the SIGKILL")
            .isLessThanOrEqualTo(2L * SAMPLE);
        check(2);
        service.terminate();
      } finally {
        service.destroy();
      }
      Utils.delete(stateDir.toFile());
    }

    private void report(String after, long toRunningMillis) {
      ServiceProcess.Restore restore = service.restored();
      System.out.printf(
          "recovery: %s, %,d IDs, after %s: RUNNING in %,d ms, %d tasks wiped, restored"
              + " %,d records in %,d ms (%,d records/s)%n",
          NAME,
          ids,
          after,
          toRunningMillis,
          service.wipedTasks(),
          restore.records(),
          restore.millis(),
          restore.millis() == 0 ? 0 : restore.records() * 1000 / restore.millis());
    }

    /**
     * Sends {@link #SAMPLE} repeats of restored IDs and as many new IDs; after {@code round} rounds
     * the output must hold exactly the new IDs and the duplicates topic the repeats.
     */
    private void check(int round) throws Exception {
      produce(SAMPLE, true);
      produce(SAMPLE, false);
      long expectedOutput = fresh;
      long expectedDuplicates = (long) round * SAMPLE;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (committedRecords(OUTPUT) < expectedOutput
          || committedRecords(DUPLICATES) < expectedDuplicates) {
        assertThat(System.nanoTime()).as("outputs complete within 5 minutes").isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(500);
      }
      assertThat(committedRecords(OUTPUT)).as("unique records").isEqualTo(expectedOutput);
      assertThat(committedRecords(DUPLICATES)).as("duplicates").isEqualTo(expectedDuplicates);
    }

    /**
     * Writes the seen-ID changelog of {@code ids} IDs first seen a minute ago, half of them in the
     * window-store layout; returns the records written.
     */
    private long writeChangelog() throws Exception {
      long now = System.currentTimeMillis();
      long time = now - 60_000;
      long bucket = SeenIdStore.bucketStart(time, WINDOW.toMillis());
      long started = System.nanoTime();
      try (AckedProducer<byte[], byte[]> producer = producer()) {
        for (int n = 0; n < ids; n++) {
          byte[] id = restoredId(n);
          int partition = partitionOf(id);
          byte[] digest = IdEncoding.DIGEST.encode(id);
          byte[] value = new FirstOccurrence(time, INPUT, partition, n).encode(bucket);
          byte[] key;
          if (n % 2 == 0) {
            key = SeenIdStore.storedKey(digest, bucket);
          } else {
            // the window-store layout: ID, bucket start, sequence number; no layout byte
            key = SeenIdStore.windowStoreLayoutKey(digest, bucket);
            value = Arrays.copyOf(value, value.length - 1);
          }
          producer.send(
              new ProducerRecord<>(
                  APPLICATION + "-seen-ids-changelog", partition, now, key, value));
        }
      }
      System.out.printf(
          "recovery: wrote a changelog of %,d IDs in %,d ms%n",
          ids, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return ids;
    }

    /** Produces {@code count} records keyed by a restored ID (repeats) or a new ID. */
    private void produce(int count, boolean repeats) {
      try (AckedProducer<byte[], byte[]> producer = producer()) {
        for (int i = 0; i < count; i++) {
          byte[] id =
              repeats
                  ? restoredId(random.nextInt(ids))
                  : ("new-" + fresh++).getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(INPUT, partitionOf(id), null, id, id));
        }
      }
    }

    private static byte[] restoredId(int n) {
      return ("id-" + n).getBytes(StandardCharsets.UTF_8);
    }

    /** The input partition, and so the store partition, a record keyed by {@code id} goes to. */
    private static int partitionOf(byte[] id) {
      return Utils.toPositive(Utils.murmur2(id)) % PARTITIONS;
    }

    private AckedProducer<byte[], byte[]> producer() {
      return AckedProducer.ofBytes(
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              broker.bootstrapServers(),
              ProducerConfig.LINGER_MS_CONFIG,
              20,
              ProducerConfig.BATCH_SIZE_CONFIG,
              262_144));
    }

    /** Records of {@code topic} a read_committed consumer sees now. */
    private long committedRecords(String topic) {
      return CommittedTopics.readCommitted(broker.bootstrapServers(), topic).size();
    }
  }
}
