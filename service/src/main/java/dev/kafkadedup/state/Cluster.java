package dev.kafkadedup.state;

import dev.kafkadedup.kafka.Topics;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The Admin calls of the state commands, each bounded, failing with an operator's message. */
final class Cluster {
  static final Comparator<TopicPartition> PARTITION_ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private static final long TIMEOUT_SECONDS = 60;

  private Cluster() {}

  static <T> T await(KafkaFuture<T> future, String what) {
    return awaitUnless(future, what, null);
  }

  /**
   * As {@link #await}, but null when the call fails because of {@code absent}: a group or topic
   * that does not exist, where the caller has an answer for that.
   */
  static <T> T awaitUnless(KafkaFuture<T> future, String what, Class<? extends Throwable> absent) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (absent != null && absent.isInstance(e.getCause())) {
        return null;
      }
      throw new StateCommandException("cannot " + what + ": " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new StateCommandException(
          "cannot " + what + ": no answer in " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateCommandException("interrupted while trying to " + what);
    }
  }

  /**
   * Creates a topic unless it exists, and waits until its leader serves every partition: a write in
   * between can fail over and over (KAFKA-15591, fixed after Kafka 4.4.0).
   */
  static void createTopic(Admin admin, NewTopic topic) {
    try {
      Topics.create(admin, List.of(topic), Duration.ofSeconds(TIMEOUT_SECONDS));
    } catch (IllegalStateException e) {
      throw new StateCommandException(e.getMessage());
    }
  }

  /** True for a repartition topic of the application (its group commits offsets on them too). */
  static boolean isRepartitionTopic(String application, String topic) {
    return topic.startsWith(application + "-") && topic.endsWith("-repartition");
  }

  /** The group's committed offsets, in topic and partition order (empty for no group). */
  static Map<TopicPartition, Long> groupOffsets(Admin admin, String group) {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        await(
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
            "read the offsets of group '" + group + "'");
    Map<TopicPartition, Long> result = new TreeMap<>(PARTITION_ORDER);
    offsets.forEach(
        (tp, offset) -> {
          if (offset != null) {
            result.put(tp, offset.offset());
          }
        });
    return result;
  }

  /** Fails unless no instance of the application is running (its group has no member). */
  static void requireStopped(Admin admin, String group) {
    Map<String, ConsumerGroupDescription> groups =
        awaitUnless(
            admin.describeConsumerGroups(List.of(group)).all(),
            "describe group '" + group + "'",
            GroupIdNotFoundException.class);
    int members = groups == null ? 0 : groups.get(group).members().size();
    if (members > 0) {
      throw new StateCommandException(
          "group '"
              + group
              + "' has "
              + members
              + " active members: stop every instance of the application first");
    }
  }

  /** The partitions of a topic, or 0 when it does not exist. */
  static int partitionCount(Admin admin, String topic) {
    Map<String, TopicDescription> topics =
        awaitUnless(
            admin.describeTopics(List.of(topic)).allTopicNames(),
            "describe topic '" + topic + "'",
            UnknownTopicOrPartitionException.class);
    return topics == null ? 0 : topics.get(topic).partitions().size();
  }
}
