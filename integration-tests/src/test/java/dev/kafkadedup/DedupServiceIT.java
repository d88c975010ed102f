package dev.kafkadedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.BrokerExtension;
import dev.kafkadedup.load.OutputVerifier;
import dev.kafkadedup.load.SampleEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a real broker with transactions: input with duplicates spread over partitions and
 * time in, {@code read_committed} output compared with the unique input.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DedupServiceIT {
  private static final int RECORDS = 20_000;
  @RegisterExtension static final BrokerExtension broker = new BrokerExtension();

  @TempDir Path stateDir;
  private String prefix;
  private SampleEvents events;

  @Test
  void shouldOutputEachUniqueIdExactlyOnce(TestInfo test) throws Exception {
    produce(test);
    try (DedupService service = new DedupService(config())) {
      service.start();
      assertOutputIsUniqueInput();
    }
  }

  @Test
  void shouldStayExactWhenRestartedMidStreamWithStateKept(TestInfo test) throws Exception {
    produce(test);
    runUntilPartlyProcessed();
    try (DedupService service = new DedupService(config())) {
      service.start();
      assertOutputIsUniqueInput();
    }
  }

  @Test
  void shouldStayExactWhenRestartedMidStreamWithStateWiped(TestInfo test) throws Exception {
    produce(test);
    runUntilPartlyProcessed();
    Utils.delete(stateDir.toFile());
    try (DedupService service = new DedupService(config())) {
      service.start();
      assertOutputIsUniqueInput();
    }
  }

  private void produce(TestInfo test) {
    prefix = test.getTestMethod().orElseThrow().getName();
    broker.createTopics(4, topic("in"), topic("out"), topic("dup"), topic("dlq"));
    long seed = ThreadLocalRandom.current().nextLong();
    System.out.println(prefix + ": sample data seed " + seed);
    events = SampleEvents.generate(topic("in"), RECORDS, 0.3, 0.01, 120, Duration.ofHours(6), seed);
    events.produce(broker.bootstrapServers());
  }

  /** Runs one instance until about a third of the input is committed, then closes it. */
  private void runUntilPartlyProcessed() throws Exception {
    try (DedupService service = new DedupService(config());
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      service.start();
      await().atMost(Duration.ofMinutes(2)).until(() -> committedInputOffsets(admin) > RECORDS / 3);
      assertThat(committedInputOffsets(admin)).isLessThan(RECORDS);
    }
  }

  private long committedInputOffsets(Admin admin) throws Exception {
    return admin
        .listConsumerGroupOffsets(prefix)
        .partitionsToOffsetAndMetadata()
        .get()
        .entrySet()
        .stream()
        .filter(e -> e.getKey().topic().equals(topic("in")) && e.getValue() != null)
        .map(Map.Entry::getValue)
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }

  private void assertOutputIsUniqueInput() {
    try (OutputVerifier verifier =
        new OutputVerifier(
            broker.bootstrapServers(), events, topic("out"), topic("dlq"), topic("dup"))) {
      boolean complete = verifier.await(Duration.ofMinutes(3), Duration.ofSeconds(2), v -> {});
      assertThat(verifier.problems()).isEmpty();
      assertThat(complete).isTrue();
    }
  }

  private DedupConfig config() {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("kafka.application.id", prefix);
    props.put("kafka.state.dir", stateDir.toString());
    props.put("input.topics", topic("in"));
    props.put("output.topic", topic("out"));
    props.put("duplicates.topic", topic("dup"));
    props.put("dead.letter.topic", topic("dlq"));
    props.put("id.source", "json");
    props.put("id.json.pointers", SampleEvents.ID_POINTER);
    props.put("window.size", "P1D");
    props.put("shutdown.leave.group", "true");
    return DedupConfig.from(props);
  }

  private String topic(String name) {
    return prefix + "-" + name;
  }
}
