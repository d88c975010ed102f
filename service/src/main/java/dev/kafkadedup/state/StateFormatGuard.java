package dev.kafkadedup.state;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link StateFormat} of an application's seen-ID state in a one-partition compacted
 * topic, {@code <application.id>-dedup-state-format}, next to Kafka Streams' internal topics (and
 * covered by the same prefixed ACLs). The first start records it; every later start compares it
 * with the configuration and refuses to run on state it would misread.
 */
public final class StateFormatGuard {
  private static final Logger LOG = LoggerFactory.getLogger(StateFormatGuard.class);
  private static final byte[] KEY = "format".getBytes(StandardCharsets.UTF_8);
  private static final long TIMEOUT_SECONDS = 60;

  private StateFormatGuard() {}

  public static String topic(String applicationId) {
    return applicationId + "-dedup-state-format";
  }

  /**
   * Records the configuration's format on a first start; otherwise checks it against the recorded
   * one.
   *
   * @throws ConfigException naming the key, both values and how to migrate, when they differ
   */
  public static void check(DedupConfig config) {
    StateFormat now = StateFormat.of(config);
    StateFormat recorded = read(config);
    if (recorded == null) {
      write(config, now);
      LOG.info("Recorded the state format of application.id '{}'", config.applicationId());
      return;
    }
    recorded
        .firstDifference(now)
        .ifPresent(
            difference -> {
              throw new ConfigException(
                  difference
                      + " (application.id '"
                      + config.applicationId()
                      + "'): running would forget every ID seen so far. Keep the old value, or"
                      + " migrate with 'savepoint create' under the old configuration and"
                      + " 'savepoint restore' under the new one (with a new application.id), or"
                      + " start from scratch with 'reset'.");
            });
  }

  /** The recorded format, or null when there is none (a first start). */
  public static StateFormat read(DedupConfig config) {
    String topic = topic(config.applicationId());
    ensureTopic(config, topic);
    StateFormat[] last = {null};
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.reader(config, "kafka-dedup-state-format")) {
      List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      KafkaClients.readToEnd(
          consumer,
          partitions,
          record -> last[0] = record.value() == null ? null : StateFormat.fromJson(record.value()));
    }
    return last[0];
  }

  /** Records {@code format} as the application's, replacing what was recorded. */
  public static void write(DedupConfig config, StateFormat format) {
    String topic = topic(config.applicationId());
    ensureTopic(config, topic);
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.writer(config, "kafka-dedup-state-format")) {
      producer
          .send(new ProducerRecord<>(topic, 0, KEY, format.toJson()))
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot record the state format in " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while recording the state format", e);
    }
  }

  private static void ensureTopic(DedupConfig config, String topic) {
    try (Admin admin = Admin.create(KafkaClients.admin(config))) {
      Cluster.createTopic(
          admin,
          new NewTopic(topic, 1, (short) -1)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    }
  }
}
