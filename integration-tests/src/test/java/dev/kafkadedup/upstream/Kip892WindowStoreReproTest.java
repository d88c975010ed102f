package dev.kafkadedup.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.kafka.KafkaClients;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Minimal reproduction: a Kafka Streams 4.4.0 RocksDB window store under exactly_once_v2 with and
 * without {@code enable.transactional.statestores}. Writes {@link #OLD_KEYS} small entries into the
 * two older segments and {@link #NEW_KEYS} 8 KiB entries into the newest segment (enough to fill
 * and flush that segment's 16 MiB memtable), then probes every key after
 *
 * <ul>
 *   <li>{@code kill}: SIGKILL of the app after everything was committed, restart on the same state
 *       dir;
 *   <li>{@code restore}: clean stop, local state deleted, restore from the changelog the app wrote
 *       (changelog record timestamps spread over 15 h, unlike the window timestamps);
 *   <li>{@code handwritten}: local state deleted, changelog written by a plain (non-transactional)
 *       producer with the same spread record timestamps, as the project's RecoveryIT did.
 * </ul>
 *
 * <p>Opt-in (it reproduces a Kafka Streams bug, not this service's, and takes minutes): {@code
 * ./mvnw -q test -Dtest=Kip892WindowStoreReproTest -Dupstream.repro=true
 * [-Drepro.scenarios=kill,restore] [-Drepro.transactional=true,false]}. It fails while any
 * committed key is missing after a scenario, which is the case with Kafka Streams 4.4.0; see
 * docs/kip-892-window-store.md. Results go to stdout and target/kip892-repro.txt.
 */
@Timeout(1800)
class Kip892WindowStoreReproTest {
  private static final int OLD_KEYS = Integer.getInteger("repro.oldKeys", 3000);
  private static final int NEW_KEYS = Integer.getInteger("repro.newKeys", 2500);
  private static final int NEW_VALUE_BYTES = Integer.getInteger("repro.newValueBytes", 8192);
  private static final long W = Kip892ReproApp.WINDOW.toMillis();
  private static final long SEGMENT = W * 3 / 2; // Stores.persistentWindowStore: retention / 2
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final Path work = Paths.get("target", "kip892-repro").toAbsolutePath();
  private final List<String> results = new ArrayList<>();
  private EmbeddedKafkaBroker broker;
  private long t0; // start of the oldest segment used
  private long spreadStart; // first record timestamp in the spread layout

  /** Scenarios that lost committed keys. */
  private final List<String> losses = new ArrayList<>();

  @Test
  void shouldFindEveryCommittedKeyOfAWindowStore() throws Exception {
    assumeTrue(Boolean.getBoolean("upstream.repro"), "opt-in: -Dupstream.repro=true");
    Utils.delete(work.toFile());
    Files.createDirectories(work);
    long now = System.currentTimeMillis();
    t0 = (now - 4 * W) / SEGMENT * SEGMENT;
    spreadStart = now - 20 * W;
    List<String> scenarios =
        Arrays.asList(System.getProperty("repro.scenarios", "kill,restore,handwritten").split(","));
    List<String> modes =
        Arrays.asList(System.getProperty("repro.transactional", "true,false").split(","));
    try (EmbeddedKafkaBroker b = EmbeddedKafkaBroker.startInProcess()) {
      broker = b;
      for (String scenario : scenarios) {
        for (String mode : modes) {
          long started = System.nanoTime();
          boolean tx = Boolean.parseBoolean(mode);
          switch (scenario) {
            case "kill" -> kill(tx);
            case "restore" -> restore(tx);
            case "handwritten" -> handwritten(tx);
            default -> throw new IllegalArgumentException(scenario);
          }
          log(
              String.format(
                  "  (%s, transactional=%s took %d s)",
                  scenario, tx, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
        }
      }
    } finally {
      Files.write(work.resolveSibling("kip892-repro.txt"), results);
    }
    assertThat(losses).as("scenarios that lost committed keys").isEmpty();
  }

  // ---- scenarios -------------------------------------------------------------------------------

  private void kill(boolean tx) throws Exception {
    Run run = new Run("kill", tx);
    App app = run.start();
    run.putAll(false, 0, OLD_KEYS);
    run.awaitOutputs("put", OLD_KEYS);
    run.putAll(false, OLD_KEYS, OLD_KEYS + NEW_KEYS);
    run.awaitOutputs("put", OLD_KEYS + NEW_KEYS);
    TimeUnit.SECONDS.sleep(3); // several commit intervals after the last write
    log("  on disk before SIGKILL: " + run.sstFiles());
    app.kill();
    log("  on disk after SIGKILL:  " + run.sstFiles());
    app = run.startOrReport();
    if (app != null) {
      run.probeAndReport(app);
      app.stop();
    }
  }

  private void restore(boolean tx) throws Exception {
    Run run = new Run("restore", tx);
    App app = run.start();
    run.putAll(true, 0, OLD_KEYS + NEW_KEYS);
    run.awaitOutputs("put", OLD_KEYS + NEW_KEYS);
    app.stop();
    Utils.delete(run.stateDir.toFile());
    app = run.start();
    run.probeAndReport(app);
    app.stop();
  }

  private void handwritten(boolean tx) throws Exception {
    Run run = new Run("handwritten", tx);
    App app = run.start(); // creates the changelog topic as the app would
    app.stop();
    Utils.delete(run.stateDir.toFile());
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < OLD_KEYS + NEW_KEYS; i++) {
        byte[] key = key(i).getBytes(StandardCharsets.UTF_8);
        byte[] stored =
            ByteBuffer.allocate(key.length + 12).put(key).putLong(windowTime(i)).putInt(0).array();
        producer.send(
            new ProducerRecord<>(
                run.appId + "-" + Kip892ReproApp.STORE + "-changelog",
                0,
                spreadTime(i),
                stored,
                payload(i)));
      }
    }
    app = run.start();
    run.probeAndReport(app);
    app.stop();
  }

  // ---- data layout -----------------------------------------------------------------------------

  /** Old keys: the two older segments, from t0 + 0.6h; new keys: the newest segment. */
  private long windowTime(int i) {
    if (i < OLD_KEYS) {
      long from = t0 + W * 6 / 10;
      return from + (2 * SEGMENT - (from - t0)) * i / OLD_KEYS;
    }
    return t0 + 2 * SEGMENT + (W * 4 / 10) * (i - OLD_KEYS) / NEW_KEYS;
  }

  /** Record timestamps spread over 15 h in key order (the "timestamps differ" layout). */
  private long spreadTime(int i) {
    return spreadStart + 15 * W * i / (OLD_KEYS + NEW_KEYS);
  }

  private static String key(int i) {
    return String.format("k-%05d", i);
  }

  private static byte[] payload(int i) {
    byte[] p = new byte[i < OLD_KEYS ? 16 : NEW_VALUE_BYTES];
    Arrays.fill(p, (byte) ('a' + i % 26));
    return p;
  }

  private static byte[] op(char op, long windowTime, byte[] payload) {
    return ByteBuffer.allocate(9 + payload.length)
        .put((byte) op)
        .putLong(windowTime)
        .put(payload)
        .array();
  }

  // ---- one run: topics, state dir, app process
  // ---------------------------------------------------

  private final class Run {
    final String name;
    final boolean tx;
    final String appId;
    final String input;
    final String output;
    final Path stateDir;
    int starts;

    Run(String name, boolean tx) {
      this.name = name;
      this.tx = tx;
      this.appId = "repro-" + name + "-" + (tx ? "tx" : "notx");
      this.input = appId + "-in";
      this.output = appId + "-out";
      this.stateDir = work.resolve(appId + "-state");
      broker.createTopics(1, input, output);
      log(String.format("%s, transactional=%s:", name, tx));
    }

    App start() throws Exception {
      starts++;
      App app =
          new App(this, work.resolve(appId + "-" + starts + ".log"), broker.bootstrapServers());
      app.awaitRunning();
      return app;
    }

    /** Starts the app; if it does not reach RUNNING, logs why, stops it and returns null. */
    App startOrReport() throws Exception {
      starts++;
      Path logFile = work.resolve(appId + "-" + starts + ".log");
      App app = new App(this, logFile, broker.bootstrapServers());
      try {
        app.awaitRunning();
        return app;
      } catch (IllegalStateException e) {
        String cause =
            Files.readAllLines(logFile).stream()
                .filter(l -> l.startsWith("Caused by") || l.contains("Failed to register"))
                .map(l -> l.length() > 300 ? l.substring(0, 300) : l)
                .collect(Collectors.joining(" | "));
        log(
            String.format(
                "  RESULT %s transactional=%s: app did not reach RUNNING: %s", name, tx, cause));
        app.kill();
        return null;
      }
    }

    void putAll(boolean spreadTimestamps, int from, int to) {
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        for (int i = from; i < to; i++) {
          long recordTime = spreadTimestamps ? spreadTime(i) : windowTime(i);
          producer.send(
              new ProducerRecord<>(
                  input,
                  0,
                  recordTime,
                  key(i).getBytes(StandardCharsets.UTF_8),
                  op('P', windowTime(i), payload(i))));
        }
      }
    }

    void probeAndReport(App app) throws Exception {
      int all = OLD_KEYS + NEW_KEYS;
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        for (int i = 0; i < all; i++) {
          // probes carry the newest timestamp so they do not move stream time backwards
          producer.send(
              new ProducerRecord<>(
                  input,
                  0,
                  windowTime(all - 1),
                  key(i).getBytes(StandardCharsets.UTF_8),
                  op('Q', windowTime(i), new byte[0])));
        }
      }
      Map<String, String> answers = awaitOutputs("probe", all);
      Map<Long, int[]> bySegment = new TreeMap<>(); // segment id -> {missing, total}
      int missing = 0;
      for (int i = 0; i < all; i++) {
        int[] counts = bySegment.computeIfAbsent(windowTime(i) / SEGMENT, s -> new int[2]);
        counts[1]++;
        if (!"hit".equals(answers.get(key(i)))) {
          counts[0]++;
          missing++;
        }
      }
      String segments =
          bySegment.entrySet().stream()
              .map(e -> "segment " + e.getKey() + ": " + e.getValue()[0] + "/" + e.getValue()[1])
              .collect(Collectors.joining(", "));
      log(
          String.format(
              "  RESULT %s transactional=%s: %d of %d keys missing (%s); %s",
              name, tx, missing, all, segments, app.restoreLines()));
      if (missing > 0) {
        losses.add(name + " transactional=" + tx + ": " + missing + " of " + all + " missing");
      }
    }

    /**
     * Waits until the output holds {@code count} committed answers of the kind ("put", or probe
     * answers "hit"/"miss"); returns the last answer per key.
     */
    Map<String, String> awaitOutputs(String kind, int count) throws InterruptedException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        Map<String, String> last = new HashMap<>();
        int n = 0;
        for (ConsumerRecord<String, String> r : readCommitted(output)) {
          boolean isPut = r.value().equals("put");
          if (kind.equals("put") == isPut) {
            n++;
            last.put(r.key(), r.value());
          }
        }
        if (n >= count) {
          return last;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(kind + ": " + n + " of " + count + " outputs");
        }
        TimeUnit.MILLISECONDS.sleep(500);
      }
    }

    /** SST files per segment directory of the store, i.e. what is durable in each segment. */
    String sstFiles() throws IOException {
      Path store = stateDir.resolve(appId).resolve("0_0").resolve(Kip892ReproApp.STORE);
      if (!Files.isDirectory(store)) {
        return "(no store dir)";
      }
      try (Stream<Path> segments = Files.list(store)) {
        return segments
            .sorted()
            .map(
                s -> {
                  File[] ssts = s.toFile().listFiles((d, n) -> n.endsWith(".sst"));
                  return s.getFileName() + "=" + (ssts == null ? 0 : ssts.length) + " sst";
                })
            .collect(Collectors.joining(", "));
      }
    }
  }

  /** The app as a child JVM. */
  private static final class App {
    private final Process process;
    private final Path logFile;

    App(Run run, Path logFile, String bootstrap) throws IOException {
      this.logFile = logFile;
      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      String classPath =
          Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
              .map(e -> Paths.get(e).toAbsolutePath().toString())
              .collect(Collectors.joining(File.pathSeparator));
      this.process =
          new ProcessBuilder(
                  java,
                  "-Xmx512m",
                  "-cp",
                  classPath,
                  Kip892ReproApp.class.getName(),
                  bootstrap,
                  run.appId,
                  run.stateDir.toString(),
                  String.valueOf(run.tx),
                  run.input,
                  run.output)
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    }

    void awaitRunning() throws Exception {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!Files.readString(logFile).contains("STATE RUNNING")) {
        boolean failed = Files.readString(logFile).contains("STATE ERROR");
        if (failed || !process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("app not RUNNING, see " + logFile);
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }

    String restoreLines() throws IOException {
      return Files.readAllLines(logFile).stream()
          .filter(l -> l.startsWith("RESTORE-"))
          .collect(Collectors.joining("; "));
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(60, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("app did not stop, see " + logFile);
      }
    }
  }

  // ---- clients ---------------------------------------------------------------------------------

  private KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.LINGER_MS_CONFIG,
            10,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            4 << 20),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private List<ConsumerRecord<String, String>> readCommitted(String topic) {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      KafkaClients.readToEnd(consumer, List.of(tp), records::add);
      return records;
    }
  }

  private void log(String line) {
    System.out.println(line);
    results.add(line);
  }
}
