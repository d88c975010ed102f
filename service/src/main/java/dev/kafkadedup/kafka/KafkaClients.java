package dev.kafkadedup.kafka;

import dev.kafkadedup.config.DedupConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka clients for the commands that work beside the service (audit, state commands): they connect
 * with the service's own connection and security settings ({@code kafka.*}).
 */
public final class KafkaClients {
  private KafkaClients() {}

  /** The service's settings that {@code configNames} knows, e.g. AdminClientConfig's. */
  public static Properties properties(DedupConfig config, Set<String> configNames) {
    Properties props = new Properties();
    config
        .streamsProperties()
        .forEach(
            (k, v) -> {
              if (configNames.contains(String.valueOf(k))) {
                props.put(k, v);
              }
            });
    return props;
  }

  public static Properties admin(DedupConfig config) {
    return properties(config, AdminClientConfig.configNames());
  }

  /** An assigned, never-committing reader of committed data: no group, no static membership. */
  public static KafkaConsumer<byte[], byte[]> reader(DedupConfig config, String clientId) {
    Properties props = properties(config, ConsumerConfig.configNames());
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** An idempotent writer that waits for every replica in sync. */
  public static KafkaProducer<byte[], byte[]> writer(DedupConfig config, String clientId) {
    Properties props = properties(config, ProducerConfig.configNames());
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Reads {@code partitions}, assigned to {@code consumer} and positioned by the caller, up to
   * their end as of now: the last stable offset under read_committed, so open transactions are not
   * waited for.
   */
  public static <K, V> void readToEnd(
      KafkaConsumer<K, V> consumer,
      Collection<TopicPartition> partitions,
      Consumer<ConsumerRecord<K, V>> handler) {
    readToEnd(consumer, consumer.endOffsets(partitions), handler);
  }

  /** Reads each partition of {@code ends}, positioned by the caller, up to its given end. */
  public static <K, V> void readToEnd(
      KafkaConsumer<K, V> consumer,
      Map<TopicPartition, Long> ends,
      Consumer<ConsumerRecord<K, V>> handler) {
    Map<TopicPartition, Long> open = new HashMap<>(ends);
    open.keySet().removeIf(tp -> consumer.position(tp) >= open.get(tp));
    while (!open.isEmpty()) {
      for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(200))) {
        Long end = open.get(new TopicPartition(record.topic(), record.partition()));
        if (end != null && record.offset() < end) {
          handler.accept(record);
        }
      }
      open.keySet().removeIf(tp -> consumer.position(tp) >= open.get(tp));
    }
  }
}
