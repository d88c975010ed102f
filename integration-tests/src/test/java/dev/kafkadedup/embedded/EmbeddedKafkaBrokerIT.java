package dev.kafkadedup.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedKafkaBrokerIT {

  private static final String TOPIC = "events";

  @Test
  void shouldRunTransactionsOnInProcessBroker() {
    Path dataDir;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startInProcess()) {
      dataDir = broker.dataDir();
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
      broker.createTopics(3, TOPIC);

      commit(broker, "tx-in-process", "a", "b", "c");
      abort(broker, "tx-in-process", "aborted");

      assertThat(readCommitted(broker)).containsExactlyInAnyOrder("a", "b", "c");

      assertThatThrownBy(broker::kill).isInstanceOf(UnsupportedOperationException.class);
      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      broker.restart();
      assertThat(readCommitted(broker)).containsExactlyInAnyOrder("a", "b", "c");
    }
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void shouldKeepCommittedRecordsWhenChildBrokerIsKilledAndRestarted(@TempDir Path dir) {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startChildProcess(dir)) {
      String bootstrapServers = broker.bootstrapServers();
      broker.createTopics(2, TOPIC);
      commit(broker, "tx-child", "a", "b");

      // leave a transaction open at the moment of the crash
      KafkaProducer<String, String> open = producer(broker, "tx-child");
      open.initTransactions();
      open.beginTransaction();
      open.send(new ProducerRecord<>(TOPIC, "open"));
      open.flush();
      broker.kill();
      open.close(Duration.ZERO);
      assertThat(broker.isRunning()).isFalse();

      broker.restart();
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers()).isEqualTo(bootstrapServers);
      assertThat(readCommitted(broker)).containsExactlyInAnyOrder("a", "b");

      commit(broker, "tx-child", "c"); // fences and aborts the open transaction
      assertThat(readCommitted(broker)).containsExactlyInAnyOrder("a", "b", "c");
    }
    assertThat(dir).isDirectory(); // a caller-supplied dir is kept
  }

  @Test
  void shouldRestartChildBrokerAfterGracefulStop(@TempDir Path dir) {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startChildProcess(dir);
    try {
      broker.createTopics(1, TOPIC);
      commit(broker, "tx-stop", "a");

      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      assertThat(Files.exists(dir.resolve("broker.log"))).isTrue();

      broker.restart();
      commit(broker, "tx-stop", "b");
      assertThat(readCommitted(broker)).containsExactlyInAnyOrder("a", "b");
    } finally {
      broker.close();
    }
    broker.close(); // idempotent
    broker.kill(); // harmless once stopped
    assertThat(broker.isRunning()).isFalse();
    assertThatThrownBy(broker::restart).isInstanceOf(IllegalStateException.class);
  }

  private static void commit(EmbeddedKafkaBroker broker, String transactionalId, String... values) {
    try (KafkaProducer<String, String> producer = producer(broker, transactionalId)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (String value : values) {
        producer.send(new ProducerRecord<>(TOPIC, value, value));
      }
      producer.commitTransaction();
    }
  }

  private static void abort(EmbeddedKafkaBroker broker, String transactionalId, String value) {
    try (KafkaProducer<String, String> producer = producer(broker, transactionalId)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(TOPIC, value, value));
      producer.flush();
      producer.abortTransaction();
    }
  }

  private static KafkaProducer<String, String> producer(
      EmbeddedKafkaBroker broker, String transactionalId) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            transactionalId),
        new StringSerializer(),
        new StringSerializer());
  }

  /** Reads every partition from the start up to the last stable offset. */
  private static List<String> readCommitted(EmbeddedKafkaBroker broker) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(TOPIC).stream()
              .map(info -> new TopicPartition(TOPIC, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // LSO for read_committed
      List<String> values = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInSameThread()
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  values.add(record.value());
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
              });
      return values;
    }
  }
}
