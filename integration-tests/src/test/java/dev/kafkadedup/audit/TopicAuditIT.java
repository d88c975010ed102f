package dev.kafkadedup.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.cli.Main;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.BrokerExtension;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit on a real broker: a hand-made correct dedup output passes, and a planted duplicate, a
 * planted loss and a planted foreign record are each caught.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicAuditIT {
  private static final long T0 = 1_700_000_000_000L;
  private static final Duration WINDOW = Duration.ofHours(1);
  @RegisterExtension static final BrokerExtension broker = new BrokerExtension();

  @TempDir Path dir;
  private String prefix;

  /** The input: IDs a..e with repeats on other partitions, one malformed record. */
  private final List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();

  /** A correct dedup of {@link #input}: each ID's first occurrence. */
  private final List<ProducerRecord<byte[], byte[]>> output = new ArrayList<>();

  private void sampleInput(TestInfo test) {
    prefix = test.getTestMethod().orElseThrow().getName();
    broker.createTopics(3, topic("in"), topic("out"), topic("dlq"));
    String[] ids = {"a", "b", "c", "a", "d", "b", "e", "a"};
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.length; i++) {
      ProducerRecord<byte[], byte[]> record = event(i % 3, "k" + i, ids[i], T0 + i * 1000L);
      input.add(record);
      if (seen.add(ids[i])) {
        output.add(
            new ProducerRecord<>(
                topic("out"), i % 3, record.timestamp(), record.key(), record.value()));
      }
    }
    ProducerRecord<byte[], byte[]> broken = event(1, "k-broken", null, T0 + 500);
    input.add(broken);
    ProducerRecord<byte[], byte[]> deadLetter =
        new ProducerRecord<>(topic("dlq"), 0, broken.timestamp(), broken.key(), broken.value());
    deadLetter.headers().add("dedup.origin.topic", topic("in").getBytes(StandardCharsets.UTF_8));
    send(input);
    send(List.of(deadLetter));
  }

  private ProducerRecord<byte[], byte[]> event(int partition, String key, String id, long time) {
    String json = id == null ? "{\"id\": " : "{\"id\":\"" + id + "\",\"t\":" + time + "}";
    return new ProducerRecord<>(
        topic("in"),
        partition,
        time,
        key.getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldPassACorrectOutputWithExitCodeZero(TestInfo test) throws Exception {
    sampleInput(test);
    send(output);
    Path configFile = ServiceProcess.writeConfig(dir.resolve("app.properties"), configMap());
    assertThat(Main.execute("audit", "--config", configFile.toString())).isZero();
    AuditReport report = audit();
    assertThat(report.uniqueIds()).isEqualTo(5);
    assertThat(report.outputRecords()).isEqualTo(5);
    assertThat(report.malformed()).isEqualTo(1);
    assertThat(report.deadLetters()).isEqualTo(1);
  }

  @Test
  void shouldCatchAPlantedDuplicate(TestInfo test) {
    sampleInput(test);
    List<ProducerRecord<byte[], byte[]>> planted = new ArrayList<>(output);
    ProducerRecord<byte[], byte[]> repeat = input.get(3); // the second "a", 3 s after the first
    planted.add(
        new ProducerRecord<>(topic("out"), 2, repeat.timestamp(), repeat.key(), repeat.value()));
    send(planted);
    AuditReport report = audit();
    assertThat(report.problems()).hasSize(1);
    assertThat(report.repeated()).isEqualTo(1);
    assertThat(report.missing()).isZero();
    assertThat(report.foreign()).isZero();
  }

  @Test
  void shouldCatchAPlantedLoss(TestInfo test) {
    sampleInput(test);
    send(output.subList(1, output.size())); // "a" never output
    AuditReport report = audit();
    assertThat(report.problems()).hasSize(1);
    assertThat(report.missing()).isEqualTo(1);
  }

  @Test
  void shouldCatchAPlantedForeignRecord(TestInfo test) {
    sampleInput(test);
    List<ProducerRecord<byte[], byte[]>> planted = new ArrayList<>(output);
    ProducerRecord<byte[], byte[]> first = output.get(1);
    // same ID and value as an input record, but a key no input record had
    planted.set(
        1,
        new ProducerRecord<>(
            topic("out"),
            first.partition(),
            first.timestamp(),
            "forged".getBytes(StandardCharsets.UTF_8),
            first.value()));
    send(planted);
    AuditReport report = audit();
    assertThat(report.problems()).hasSize(2); // foreign, and so its ID is missing
    assertThat(report.foreign()).isEqualTo(1);
    assertThat(report.missing()).isEqualTo(1);
  }

  @Test
  void shouldAllowAnIdAgainAfterAFullWindow(TestInfo test) {
    sampleInput(test);
    ProducerRecord<byte[], byte[]> late = event(0, "k-late", "a", T0 + WINDOW.toMillis() + 5_000);
    send(List.of(late));
    List<ProducerRecord<byte[], byte[]>> expected = new ArrayList<>(output);
    expected.add(new ProducerRecord<>(topic("out"), 0, late.timestamp(), late.key(), late.value()));
    send(expected);
    AuditReport report = audit();
    assertThat(report.problems()).isEmpty();
    assertThat(report.readmitted).isEqualTo(1);
  }

  @Test
  void shouldAuditOnlyTheGivenTimeRange(TestInfo test) {
    sampleInput(test);
    send(output.subList(1, output.size())); // "a" (first at T0) is lost
    // From T0+1s: the lost first "a" is before the range and explains why its repeats inside the
    // range (T0+3s, T0+7s) are not in the output; the malformed record at T0+0.5s is outside.
    AuditReport report = new TopicAudit(config(), Instant.ofEpochMilli(T0 + 1000), null).run();
    assertThat(report.problems()).isEmpty();
    assertThat(report.malformed()).isZero();
    assertThat(report.outputRecords()).isEqualTo(4);
  }

  private AuditReport audit() {
    return new TopicAudit(config(), null, null).run();
  }

  private DedupConfig config() {
    return DedupConfig.from(configMap());
  }

  private Map<String, String> configMap() {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("input.topics", topic("in"));
    props.put("output.topic", topic("out"));
    props.put("dead.letter.topic", topic("dlq"));
    props.put("id.source", "json");
    props.put("id.json.pointers", "/id");
    props.put("window.size", WINDOW.toString());
    return props;
  }

  private void send(List<ProducerRecord<byte[], byte[]>> records) {
    Map<String, Object> props =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (AckedProducer<byte[], byte[]> producer = AckedProducer.ofBytes(props)) {
      records.forEach(producer::send);
    }
  }

  private String topic(String name) {
    return prefix + "-" + name;
  }
}
