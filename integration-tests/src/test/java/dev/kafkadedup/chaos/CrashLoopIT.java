package dev.kafkadedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kills one instance of the packaged service over and over at chosen moments and checks, after
 * every restart, that repeats of every ID seen before the kill are still dropped and that no first
 * occurrence is lost: the output topic, read with {@code read_committed}, holds each ID sent so far
 * exactly once. The moments:
 *
 * <ul>
 *   <li>right after a commit, with all input processed;
 *   <li>between a write and its commit, while records flow;
 *   <li>while the store restores from its changelog (local state deleted first);
 *   <li>with a broker restart between the kill and the start.
 * </ul>
 *
 * Every kill but the one with deleted state must keep the local store: no task wiped.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class CrashLoopIT {
  private static final String APP_ID = "crash-loop";
  private static final String INPUT = APP_ID + "-in";
  private static final String OUTPUT = APP_ID + "-out";
  private static final String DEAD_LETTERS = APP_ID + "-dlq";
  private static final int PARTITIONS = 4;
  private static final int IDS_PER_ROUND = 5_000;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private EmbeddedKafkaBroker broker;
  private ServiceProcess service;
  private Path stateDir;
  private int sentIds;

  @Test
  void shouldDropRepeatsAndKeepFirstOccurrencesAcrossRepeatedKills() throws Exception {
    Path dir = ServiceProcess.packagedJar().resolveSibling("crash-loop");
    Utils.delete(dir.toFile());
    Files.createDirectories(dir);
    stateDir = dir.resolve("state");
    broker = EmbeddedKafkaBroker.startChildProcess(dir.resolve("broker"));
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      broker.createTopics(PARTITIONS, INPUT, OUTPUT, DEAD_LETTERS);
      service =
          new ServiceProcess(
              "crash-loop",
              ServiceProcess.packagedJar(),
              writeConfig(dir),
              ServiceProcess.writeLogback(dir),
              dir.resolve("service.log"));
      service.start();
      service.awaitRunning(TIMEOUT);
      try {
        // right after a commit: everything sent is processed and committed
        sendRound();
        awaitProcessed(admin);
        killAndRestart("after a commit", true);
        checkExactlyOnce(admin);

        // between a write and its commit: kill while a round is half processed
        sendRound();
        awaitOutputAtLeast(sentIds - IDS_PER_ROUND / 2);
        killAndRestart("mid-transaction", true);
        checkExactlyOnce(admin);

        // while restoring: the state goes, and the restore is cut short by another kill
        service.kill();
        Utils.delete(stateDir.toFile());
        service.start();
        boolean restoring = service.awaitLog("End offset for changelog", TIMEOUT);
        service.kill();
        System.out.println("crash-loop: killed while restoring (restore seen: " + restoring + ")");
        service.start();
        service.awaitRunning(TIMEOUT);
        checkExactlyOnce(admin);

        // a broker restart between the kill and the start
        sendRound();
        service.kill();
        broker.restart();
        service.start();
        service.awaitRunning(TIMEOUT);
        assertThat(service.wipedTasks()).as("tasks wiped across a broker restart").isZero();
        checkExactlyOnce(admin);
        service.terminate();
      } finally {
        service.destroy();
      }
    } finally {
      broker.close();
    }
    Utils.delete(dir.toFile());
  }

  private void killAndRestart(String moment, boolean stateKept) throws InterruptedException {
    service.kill();
    service.start();
    long toRunning = service.awaitRunning(TIMEOUT);
    System.out.printf(
        "crash-loop: killed %s: RUNNING in %,d ms, %d tasks wiped, %,d records restored%n",
        moment, toRunning, service.wipedTasks(), service.restored().records());
    if (stateKept) {
      assertThat(service.wipedTasks()).as("tasks wiped after a kill " + moment).isZero();
    }
  }

  /** New IDs, each sent twice, plus a repeat of every ID sent before: all keyed by their ID. */
  private void sendRound() {
    try (AckedProducer<byte[], byte[]> producer = producer()) {
      for (int n = 0; n < sentIds; n++) {
        send(producer, n);
      }
      for (int n = sentIds; n < sentIds + IDS_PER_ROUND; n++) {
        send(producer, n);
        send(producer, n);
      }
    }
    sentIds += IDS_PER_ROUND;
  }

  private static void send(AckedProducer<byte[], byte[]> producer, int n) {
    byte[] id = ("id-" + n).getBytes(StandardCharsets.UTF_8);
    producer.send(new ProducerRecord<>(INPUT, id, id));
  }

  /** Repeats of everything sent so far, then: each ID exactly once in the committed output. */
  private void checkExactlyOnce(Admin admin) throws Exception {
    try (AckedProducer<byte[], byte[]> producer = producer()) {
      for (int n = 0; n < sentIds; n++) {
        send(producer, n);
      }
    }
    awaitProcessed(admin);
    Map<String, Integer> copies = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readCommitted(OUTPUT)) {
      copies.merge(new String(record.key(), StandardCharsets.UTF_8), 1, Integer::sum);
    }
    assertThat(copies.values()).as("copies of each ID in the output").allMatch(c -> c == 1);
    assertThat(copies).as("IDs in the output").hasSize(sentIds);
  }

  private void awaitOutputAtLeast(int records) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (readCommitted(OUTPUT).size() < records) {
      assertThat(System.nanoTime()).as("output reached " + records).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** Until the group has committed every input record. */
  private void awaitProcessed(Admin admin) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (lag(admin) > 0) {
      assertThat(System.nanoTime()).as("input processed").isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private static long lag(Admin admin) throws Exception {
    return CommittedTopics.lag(admin, APP_ID, INPUT, PARTITIONS);
  }

  private List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    return CommittedTopics.readCommitted(broker.bootstrapServers(), topic);
  }

  private AckedProducer<byte[], byte[]> producer() {
    return AckedProducer.ofBytes(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private Path writeConfig(Path dir) throws IOException {
    Properties props = new Properties();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("kafka.application.id", APP_ID);
    props.put("kafka.state.dir", stateDir.toString());
    props.put("instance.id", "crash-loop-0");
    props.put("http.host", "127.0.0.1");
    props.put("http.port", "0");
    props.put("input.topics", INPUT);
    props.put("output.topic", OUTPUT);
    props.put("dead.letter.topic", DEAD_LETTERS);
    props.put("id.source", "key");
    props.put("window.size", "P1D");
    return ServiceProcess.writeConfig(dir.resolve("crash-loop.properties"), props);
  }
}
