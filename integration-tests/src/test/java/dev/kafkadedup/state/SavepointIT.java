package dev.kafkadedup.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kafkadedup.DedupService;
import dev.kafkadedup.cli.Main;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.BrokerExtension;
import dev.kafkadedup.kafka.KafkaClients;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ServiceProcess;
import dev.kafkadedup.store.SeenIdStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Savepoints, the state-format guard and reset, end to end on the embedded broker: migrations to
 * more partitions, a narrower window and another ID encoding, disaster recovery, and refusals.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SavepointIT {
  @RegisterExtension static final BrokerExtension broker = new BrokerExtension();

  @TempDir Path dir;

  /** A deployment of the service: an application reading one input topic. */
  private final class Deployment {
    final String app;
    final String input;
    final String output;
    final Map<String, String> props = new HashMap<>();

    Deployment(String app, String input, int partitions, Map<String, String> settings) {
      this.app = app;
      this.input = input;
      this.output = app + "-out";
      broker.createTopics(partitions, input);
      broker.createTopics(4, output, app + "-dlq");
      props.put("kafka.bootstrap.servers", broker.bootstrapServers());
      props.put("kafka.application.id", app);
      props.put("kafka.state.dir", dir.resolve("state-" + app).toString());
      props.put("input.topics", input);
      props.put("output.topic", output);
      props.put("dead.letter.topic", app + "-dlq");
      props.put("id.source", "json");
      props.put("id.json.pointers", "/id");
      props.put("window.size", "P1D");
      props.put("shutdown.leave.group", "true");
      props.put("http.port", "0");
      props.putAll(settings);
    }

    DedupConfig config() {
      return DedupConfig.from(props);
    }

    Path configFile() throws IOException {
      return ServiceProcess.writeConfig(
          dir.resolve(app + "-" + props.hashCode() + ".properties"), props);
    }

    /** Sends records with these IDs, all at {@code timestamp}. */
    void produce(List<String> ids, long timestamp) {
      boolean keyed = "key".equals(props.get("id.source"));
      try (AckedProducer<byte[], byte[]> producer =
          AckedProducer.ofBytes(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrapServers(),
                  ProducerConfig.LINGER_MS_CONFIG,
                  5))) {
        int n = 0;
        for (String id : ids) {
          String key = keyed ? id : "k" + n++;
          producer.send(
              new ProducerRecord<>(
                  input,
                  null,
                  timestamp,
                  key.getBytes(StandardCharsets.UTF_8),
                  ("{\"id\":\"" + id + "\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
        }
      }
    }

    /** Runs the service until it has read all its input, then stops it. */
    void runToEnd() throws Exception {
      try (DedupService service = new DedupService(config());
          Admin admin = Admin.create(KafkaClients.admin(config()))) {
        service.start();
        Map<TopicPartition, Long> ends = endOffsets();
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> committedAtLeast(admin, ends));
      }
    }

    /** Whether the group committed past {@code ends} and processed its repartition topics. */
    private boolean committedAtLeast(Admin admin, Map<TopicPartition, Long> ends) {
      Map<TopicPartition, Long> committed = Cluster.groupOffsets(admin, app);
      if (!ends.entrySet().stream()
          .allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
        return false;
      }
      try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.reader(config(), "test-lag")) {
        return SavepointCreator.unprocessedRepartitioned(consumer, committed, app) == 0;
      }
    }

    private Map<TopicPartition, Long> endOffsets() {
      try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.reader(config(), "test-ends")) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer
            .partitionsFor(input)
            .forEach(p -> partitions.add(new TopicPartition(input, p.partition())));
        return consumer.endOffsets(partitions);
      }
    }

    /** The IDs in the committed output, in order of partitions and offsets. */
    List<String> outputIds() {
      List<String> ids = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.reader(config(), "test-output")) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer
            .partitionsFor(output)
            .forEach(p -> partitions.add(new TopicPartition(output, p.partition())));
        // the last commit's markers land after the commit returns: wait until no transaction is
        // open
        try (Admin admin = Admin.create(KafkaClients.admin(config()))) {
          await()
              .atMost(Duration.ofMinutes(1))
              .until(() -> lastStable(admin, partitions).equals(consumer.endOffsets(partitions)));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        KafkaClients.readToEnd(consumer, partitions, record -> ids.add(idOf(record.value())));
      }
      return ids;
    }
  }

  /** The partitions' high watermarks: their last stable offsets once no transaction is open. */
  private static Map<TopicPartition, Long> lastStable(Admin admin, List<TopicPartition> partitions)
      throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin
        .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
        .all()
        .get(60, TimeUnit.SECONDS)
        .forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

  private static String idOf(byte[] value) {
    Matcher m = ID.matcher(new String(value, StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static List<String> ids(String prefix, int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }

  /** A command's exit code and standard output and error. */
  private record Run(int exitCode, String output) {}

  private static Run cli(Object... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      String[] strings = new String[args.length];
      for (int i = 0; i < args.length; i++) {
        strings[i] = String.valueOf(args[i]);
      }
      int code = Main.execute(strings);
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
      out.print(captured.toString(StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest(name = "id.source={0}")
  @ValueSource(strings = {"json", "key"})
  void shouldMigrateToAnInputWithTwiceThePartitions(String source) throws Exception {
    Map<String, String> settings = Map.of("id.source", source);
    Deployment old = new Deployment("mig6-" + source, "mig6-" + source + "-in", 6, settings);
    long now = System.currentTimeMillis();
    List<String> oldIds = ids("old-", 0, 1000);
    List<String> oldInput = new ArrayList<>(oldIds);
    oldInput.addAll(oldIds.subList(0, 300));
    old.produce(oldInput, now);
    old.runToEnd();
    assertThat(old.outputIds()).containsExactlyInAnyOrderElementsOf(oldIds);

    Path savepoint = dir.resolve("mig-" + source + ".savepoint");
    assertThat(
            cli("savepoint", "create", "--config", old.configFile(), "--to", savepoint).exitCode())
        .isZero();
    Run inspect = cli("savepoint", "inspect", "--from", savepoint);
    assertThat(inspect.exitCode()).isZero();
    assertThat(inspect.output()).contains("IDs          : 1,000").contains("partitions   : 6");

    Deployment migrated =
        new Deployment("mig12-" + source, "mig12-" + source + "-in", 12, settings);
    Run restore =
        cli(
            "savepoint",
            "restore",
            "--config",
            migrated.configFile(),
            "--from",
            savepoint,
            "--from-offsets",
            "earliest");
    assertThat(restore.exitCode()).isZero();
    assertThat(restore.output()).contains("restored     : 1,000 IDs");

    List<String> newIds = ids("new-", 0, 300);
    List<String> newInput = new ArrayList<>(oldIds.subList(200, 700));
    newInput.addAll(newIds);
    newInput.addAll(newIds.subList(0, 100));
    migrated.produce(newInput, now + 1000);
    migrated.runToEnd();

    assertThat(migrated.outputIds()).containsExactlyInAnyOrderElementsOf(newIds);
    // across the migration: every ID of both inputs exactly once in the two outputs together
    List<String> all = new ArrayList<>(old.outputIds());
    all.addAll(migrated.outputIds());
    List<String> expected = new ArrayList<>(oldIds);
    expected.addAll(newIds);
    assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void shouldDropIdsOutOfANarrowerWindowAndTurnRawIdsIntoDigests() throws Exception {
    Map<String, String> raw = Map.of("id.source", "key", "id.store", "raw", "window.size", "P1D");
    Deployment day = new Deployment("win-day", "win-day-in", 3, raw);
    long now = System.currentTimeMillis();
    day.produce(ids("early-", 0, 100), now - Duration.ofHours(10).toMillis());
    day.produce(ids("late-", 0, 200), now);
    day.runToEnd();
    Path savepoint = dir.resolve("win.savepoint");
    assertThat(
            cli("savepoint", "create", "--config", day.configFile(), "--to", savepoint).exitCode())
        .isZero();

    Map<String, String> digest =
        Map.of("id.source", "key", "id.store", "digest", "window.size", "PT1H");
    Deployment hour = new Deployment("win-hour", "win-hour-in", 3, digest);
    Run restore =
        cli(
            "savepoint",
            "restore",
            "--config",
            hour.configFile(),
            "--from",
            savepoint,
            "--from-offsets",
            "earliest");
    assertThat(restore.exitCode()).isZero();
    // the early IDs are 10 h older than their partitions' newest: out of two 1 h windows
    assertThat(restore.output()).contains("restored     : 200 IDs").contains("100 dropped");

    List<String> input = new ArrayList<>(ids("late-", 0, 200));
    input.addAll(ids("fresh-", 0, 50));
    hour.produce(input, now + 1000);
    hour.runToEnd();
    assertThat(hour.outputIds()).containsExactlyInAnyOrderElementsOf(ids("fresh-", 0, 50));

    // digests cannot become raw IDs again
    Path digests = dir.resolve("digests.savepoint");
    assertThat(
            cli("savepoint", "create", "--config", hour.configFile(), "--to", digests).exitCode())
        .isZero();
    Deployment rawAgain =
        new Deployment("win-raw", "win-raw-in", 3, Map.of("id.source", "key", "id.store", "raw"));
    Run refused =
        cli(
            "savepoint",
            "restore",
            "--config",
            rawAgain.configFile(),
            "--from",
            digests,
            "--from-offsets",
            "earliest");
    assertThat(refused.exitCode()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(refused.output()).contains("id.store").contains("digests");
    assertThat(topicExists(SeenIdStore.changelogTopic("win-raw"))).isFalse();
  }

  @Test
  void shouldRecoverFromALostChangelogAndLocalState() throws Exception {
    Deployment app = new Deployment("dr", "dr-in", 4, Map.of());
    long now = System.currentTimeMillis();
    app.produce(ids("id-", 0, 500), now);
    app.runToEnd();
    Path savepoint = dir.resolve("dr.savepoint");
    assertThat(
            cli("savepoint", "create", "--config", app.configFile(), "--to", savepoint).exitCode())
        .isZero();

    String changelog = SeenIdStore.changelogTopic("dr");
    try (Admin admin = Admin.create(KafkaClients.admin(app.config()))) {
      admin.deleteTopics(List.of(changelog)).all().get(60, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofMinutes(1)).until(() -> !topicExists(changelog));
    Utils.delete(dir.resolve("state-dr").toFile());

    assertThat(
            cli("savepoint", "restore", "--config", app.configFile(), "--from", savepoint)
                .exitCode())
        .isZero();
    Run again = cli("savepoint", "restore", "--config", app.configFile(), "--from", savepoint);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.output()).contains("already has state").contains("--force");

    List<String> input = new ArrayList<>(ids("id-", 0, 500));
    input.addAll(ids("after-", 0, 20));
    app.produce(input, now + 1000);
    app.runToEnd();
    List<String> expected = new ArrayList<>(ids("id-", 0, 500));
    expected.addAll(ids("after-", 0, 20));
    assertThat(app.outputIds()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void shouldRefuseToRunWhenTheWindowOrIdStoreChanged() throws Exception {
    Deployment app = new Deployment("guard", "guard-in", 2, Map.of());
    app.produce(ids("g-", 0, 50), System.currentTimeMillis());
    app.runToEnd();
    assertThat(StateFormatGuard.read(app.config())).isEqualTo(StateFormat.of(app.config()));
    List<String> output = app.outputIds();

    app.props.put("window.size", "PT1H");
    Run window = cli("run", "--config", app.configFile());
    assertThat(window.exitCode()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(window.output())
        .contains("window.size is 'PT1H' but the state was written with 'PT24H'")
        .contains("savepoint create")
        .contains("savepoint restore");

    app.props.put("window.size", "P1D");
    app.props.put("id.store", "raw");
    app.produce(ids("g-", 0, 50), System.currentTimeMillis());
    Run idStore = cli("run", "--config", app.configFile());
    assertThat(idStore.exitCode()).isEqualTo(Main.CONFIG_ERROR);
    assertThat(idStore.output())
        .contains("id.store is 'raw' but the state was written with 'digest'");
    // nothing was processed or written
    assertThat(app.outputIds()).isEqualTo(output);
    assertThat(StateFormatGuard.read(app.config()).get("id.store")).isEqualTo("digest");
  }

  @Test
  void shouldResetOnlyWithYes() throws Exception {
    Deployment app = new Deployment("reset", "reset-in", 2, Map.of());
    app.produce(ids("r-", 0, 30), System.currentTimeMillis());
    app.runToEnd();
    String changelog = SeenIdStore.changelogTopic("reset");

    Run dryRun = cli("reset", "--config", app.configFile());
    assertThat(dryRun.exitCode()).isZero();
    assertThat(dryRun.output())
        .contains("would remove topic     : " + changelog)
        .contains("dry run");
    assertThat(topicExists(changelog)).isTrue();

    Run reset = cli("reset", "--config", app.configFile(), "--yes");
    assertThat(reset.exitCode()).isZero();
    await().atMost(Duration.ofMinutes(1)).until(() -> !topicExists(changelog));
    assertThat(Files.exists(dir.resolve("state-reset").resolve("reset"))).isFalse();
    try (Admin admin = Admin.create(KafkaClients.admin(app.config()))) {
      assertThat(Cluster.groupOffsets(admin, "reset")).isEmpty();
    }

    // from scratch: the input is read again and its IDs are new to the empty state
    app.runToEnd();
    assertThat(app.outputIds()).hasSize(60);
  }

  private boolean topicExists(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      return admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic);
    }
  }
}
