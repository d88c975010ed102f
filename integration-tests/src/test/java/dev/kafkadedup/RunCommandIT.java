package dev.kafkadedup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.kafka.KafkaClients;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as users start it: {@code java -jar kafka-dedup.jar run --config FILE}. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunCommandIT {
  private static final Path JAR = ServiceProcess.packagedJar();

  @TempDir Path dir;

  @Test
  void shouldExitWithCode2AndOneLineNamingTheKeyOnBadConfig() throws Exception {
    Path config =
        write(
            "bad.yaml",
            """
            input.topics: in
            output.topic: out
            dead.letter.topic: dlq
            window.size: P7X
            kafka:
              bootstrap.servers: 127.0.0.1:9
            """);

    Process process = start(config);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    List<String> lines = Files.readAllLines(dir.resolve("stderr.log"));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("window.size", "P7X", "ISO-8601");
  }

  /**
   * The commit interval is far longer than the test, so what the service processed reaches
   * read_committed consumers and the group's offsets only through the commit on SIGTERM.
   */
  @Test
  void shouldCommitAndExitWithCode0OnSigterm() throws Exception {
    int records = 100;
    int ids = 60;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startInProcess();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      broker.createTopics(2, "in", "out", "dlq");
      Path config =
          write(
              "app.properties",
              """
              input.topics=in
              output.topic=out
              dead.letter.topic=dlq
              kafka.bootstrap.servers=%s
              kafka.state.dir=%s
              kafka.commit.interval.ms=120000
              kafka.producer.transaction.timeout.ms=300000
              """
                  .formatted(broker.bootstrapServers(), dir.resolve("state")));
      Process process = start(config);
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> log().contains("-> RUNNING") || !process.isAlive());
      assertThat(process.isAlive()).as("service running; stderr:%n%s", log()).isTrue();
      try (AckedProducer<byte[], byte[]> producer =
          AckedProducer.ofBytes(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        for (int i = 0; i < records; i++) {
          producer.send(new ProducerRecord<>("in", utf8("id-" + i % ids), utf8("v" + i)));
        }
      }
      // processed (written to the output's open transaction), not yet committed
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> endOffsets(admin, "out", IsolationLevel.READ_UNCOMMITTED) >= ids);
      assertThat(committedInputOffsets(admin)).as("committed before SIGTERM").isZero();

      process.destroy(); // SIGTERM

      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("exit code; stderr:%n%s", log()).isZero();
      assertThat(log()).contains("-> NOT_RUNNING");
      assertThat(committedInputOffsets(admin)).as("input offsets committed").isEqualTo(records);
      List<String> output = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = committedReader(broker)) {
        List<TopicPartition> partitions =
            List.of(new TopicPartition("out", 0), new TopicPartition("out", 1));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        KafkaClients.readToEnd(
            consumer, partitions, r -> output.add(new String(r.key(), StandardCharsets.UTF_8)));
      }
      assertThat(output).hasSize(ids).doesNotHaveDuplicates();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static long endOffsets(Admin admin, String topic, IsolationLevel isolation)
      throws Exception {
    Map<TopicPartition, OffsetSpec> latest =
        Map.of(
            new TopicPartition(topic, 0), OffsetSpec.latest(),
            new TopicPartition(topic, 1), OffsetSpec.latest());
    return admin
        .listOffsets(latest, new ListOffsetsOptions(isolation))
        .all()
        .get()
        .values()
        .stream()
        .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
        .sum();
  }

  /** The sum of the service's committed offsets on the input. */
  private static long committedInputOffsets(Admin admin) throws Exception {
    return admin
        .listConsumerGroupOffsets("kafka-dedup")
        .partitionsToOffsetAndMetadata()
        .get()
        .entrySet()
        .stream()
        .filter(e -> e.getKey().topic().equals("in") && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(EmbeddedKafkaBroker broker) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  private Process start(Path config) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
            "run",
            "--config",
            config.toString())
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .redirectError(dir.resolve("stderr.log").toFile())
        .start();
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
