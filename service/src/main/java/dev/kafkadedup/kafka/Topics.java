package dev.kafkadedup.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/** Topic creation that a producer can rely on straight after it returns. */
public final class Topics {
  private static final long POLL_MILLIS = 50;

  private Topics() {}

  /**
   * Creates the topics that do not exist yet (existing ones are left as they are) and waits until
   * the cluster serves every partition of each. Throws {@link IllegalStateException} naming the
   * topic when one cannot be created or is not served within {@code timeout}.
   */
  public static void create(Admin admin, Collection<NewTopic> topics, Duration timeout) {
    List<String> names = topics.stream().map(NewTopic::name).toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      var options = new CreateTopicsOptions().timeoutMs((int) timeout.toMillis());
      for (Map.Entry<String, KafkaFuture<Void>> created :
          admin.createTopics(topics, options).values().entrySet()) {
        try {
          created.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic '" + created.getKey() + "': " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
      // The controller acks creation before the brokers' metadata caches know the leaders, and a
      // cache knows them before its broker has created the partitions' logs: a produce request in
      // between fails with NOT_LEADER_OR_FOLLOWER. An idempotent producer whose later request for
      // the same partition is appended first then loops on OUT_OF_ORDER_SEQUENCE_NUMBER for the
      // earlier one until delivery.timeout.ms drops its records (KAFKA-15591, fixed after Kafka
      // 4.4.0). ListOffsets needs the same partition state as a produce request, so wait for it.
      while (!allPartitionsServed(admin, names)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topics " + names + " not served within " + timeout);
        }
        TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topics " + names, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + names, e);
    }
  }

  private static boolean allPartitionsServed(Admin admin, List<String> topics)
      throws InterruptedException {
    try {
      Map<String, TopicDescription> descriptions =
          admin
              .describeTopics(topics, new DescribeTopicsOptions().timeoutMs(5_000))
              .allTopicNames()
              .get();
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      for (TopicDescription description : descriptions.values()) {
        for (TopicPartitionInfo partition : description.partitions()) {
          if (partition.leader() == null || partition.leader().isEmpty()) {
            return false;
          }
          partitions.put(
              new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
        }
      }
      admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs(5_000)).all().get();
      return true;
    } catch (ExecutionException e) {
      return false; // e.g. UnknownTopicOrPartition or NotLeaderOrFollower until the broker is ready
    }
  }
}
