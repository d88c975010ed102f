package dev.kafkadedup.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kafkadedup.DedupService;
import dev.kafkadedup.chaos.CommittedTopics;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.BrokerExtension;
import dev.kafkadedup.id.IdExtractionException.Reason;
import dev.kafkadedup.topology.HostileRecords.Hostile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile records of {@link HostileInputTest} through the service on a real broker, with a
 * composite JSON ID and the repartition: read back with read_committed, every input record is in
 * exactly one of output, duplicates and dead letters. {@code -Dfuzz.seed=N} replays a run.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileInputIT {
  private static final int RECORDS = Integer.getInteger("fuzz.it.records", 3_000);
  private static final HostileInputTest.Source SOURCE = HostileInputTest.Source.JSON_COMPOSITE;

  @RegisterExtension static final BrokerExtension broker = new BrokerExtension();

  @TempDir Path stateDir;

  @Test
  void shouldCommitEveryHostileRecordToExactlyOneSink() throws Exception {
    long seed = Long.getLong("fuzz.seed", ThreadLocalRandom.current().nextLong());
    System.out.printf(
        "HostileInputIT: %,d records, seed %d (-Dfuzz.seed=%d)%n", RECORDS, seed, seed);
    broker.createTopics(3, "in", "out", "dups", "dlq");
    // Large values stay below the default 1 MB message limits with the dead-letter headers added.
    HostileRecords generator = new HostileRecords(seed, 256 * 1024);
    List<Hostile> inputs = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < RECORDS; i++) {
        Hostile hostile = generator.next();
        inputs.add(hostile);
        producer.send(
            new ProducerRecord<>("in", null, hostile.key(), hostile.value(), hostile.headers()));
      }
      producer.flush();
    }

    try (DedupService service = new DedupService(config())) {
      service.start();
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> committedInSinks() >= RECORDS);
    }

    Map<Integer, String> sinkByMarker = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (String sink : List.of("out", "dups", "dlq")) {
      for (ConsumerRecord<byte[], byte[]> record :
          CommittedTopics.readCommitted(broker.bootstrapServers(), sink)) {
        int n = HostileRecords.marker(record.headers());
        String earlier = sinkByMarker.put(n, sink);
        if (earlier != null) {
          problems.add("record " + n + " in " + earlier + " and " + sink);
        }
        Reason reason =
            sink.equals("dlq") ? Reason.valueOf(text(record, DedupHeaders.ERROR_REASON)) : null;
        String message = sink.equals("dlq") ? text(record, DedupHeaders.ERROR_MESSAGE) : "";
        if (!SOURCE.expect(inputs.get(n)).allows(reason, message)) {
          problems.add("record " + n + " in " + sink + " with reason " + reason + ": " + message);
        }
      }
    }
    assertThat(problems).as("seed %d", seed).isEmpty();
    assertThat(sinkByMarker)
        .as("seed %d: input == output + duplicates + dead letters", seed)
        .hasSize(RECORDS);
  }

  private DedupConfig config() {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("kafka.application.id", "hostile-input");
    props.put("kafka.state.dir", stateDir.toString());
    props.put("input.topics", "in");
    props.put("output.topic", "out");
    props.put("duplicates.topic", "dups");
    props.put("dead.letter.topic", "dlq");
    props.put("window.size", "P1D");
    props.put("shutdown.leave.group", "true");
    for (int i = 0; i < SOURCE.settings.length; i += 2) {
      props.put(SOURCE.settings[i], SOURCE.settings[i + 1]);
    }
    return DedupConfig.from(props);
  }

  private static int committedInSinks() {
    int records = 0;
    for (String sink : List.of("out", "dups", "dlq")) {
      records += CommittedTopics.readCommitted(broker.bootstrapServers(), sink).size();
    }
    return records;
  }

  private static String text(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), UTF_8);
  }
}
