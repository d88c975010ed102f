package dev.kafkadedup.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AckedProducerIT {
  private static final int PARTITIONS = 12;
  private static final int RECORDS = 100_000;

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    // a broker in its own process, as the service's default: the in-process one answers too fast
    // for the race below to show
    broker = EmbeddedKafkaBroker.startChildProcess();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /**
   * Fresh topics are where KAFKA-15591 loses records from producers with several requests in
   * flight.
   */
  @Test
  void shouldWriteEveryRecordToTopicsCreatedJustBefore() throws Exception {
    for (int round = 0; round < 4; round++) {
      String topic = "fresh-" + round;
      broker.createTopics(PARTITIONS, topic);
      byte[] value = new byte[200];
      try (AckedProducer<byte[], byte[]> producer =
          AckedProducer.ofBytes(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrapServers(),
                  ProducerConfig.LINGER_MS_CONFIG,
                  5,
                  ProducerConfig.BATCH_SIZE_CONFIG,
                  256 * 1024))) {
        for (int i = 0; i < RECORDS; i++) {
          producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), value));
        }
      }

      assertThat(endOffsetSum(topic)).as("records in %s", topic).isEqualTo(RECORDS);
    }
  }

  @Test
  void shouldFailOnCloseWhenARecordWasNotWritten() {
    AckedProducer<byte[], byte[]> producer =
        AckedProducer.ofBytes(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                500));
    producer.send(new ProducerRecord<>("no-such-topic", new byte[1]));

    assertThatThrownBy(producer::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("1 of 1 records were not written");
  }

  private static long endOffsetSum(String topic) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      List<TopicPartition> partitions =
          IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
      return admin
          .listOffsets(
              partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
          .all()
          .get()
          .values()
          .stream()
          .mapToLong(info -> info.offset())
          .sum();
    }
  }
}
