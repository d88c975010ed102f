package dev.kafkadedup.deploy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a stalled exactly-once pipeline stands, as Kafka sees it: per partition of the given topics
 * and of the application's internal topics (repartition, changelog), the log end offset next to the
 * last stable offset (a gap is an open transaction holding back every {@code read_committed}
 * reader, the service's own repartition consumer included) with the producers that hold it, the
 * open transactions, and the group's committed offsets. Each part is reported on its own, so one
 * failing request does not hide the rest.
 */
final class ProgressReport {
  private static final long TIMEOUT_SECONDS = 30;

  private ProgressReport() {}

  static String of(String bootstrapServers, String applicationId, List<String> topics) {
    StringBuilder report = new StringBuilder();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      List<String> all = new ArrayList<>(topics);
      section(report, "topics", () -> all.addAll(internalTopics(admin, applicationId)));
      section(report, "end offsets", () -> endOffsets(admin, all, applicationId, report));
      section(report, "open transactions", () -> openTransactions(admin, report));
    }
    return report.toString();
  }

  private interface Part {
    void run() throws ExecutionException, InterruptedException, TimeoutException;
  }

  private static void section(StringBuilder report, String name, Part part) {
    try {
      part.run();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      report.append(name).append(": not available: ").append(e).append('\n');
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      report.append(name).append(": interrupted\n");
    }
  }

  private static List<String> internalTopics(Admin admin, String applicationId)
      throws ExecutionException, InterruptedException, TimeoutException {
    return admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
        .filter(name -> name.startsWith(applicationId + "-"))
        .sorted()
        .toList();
  }

  private static void endOffsets(
      Admin admin, List<String> topics, String applicationId, StringBuilder report)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<String, TopicDescription> descriptions =
        admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(ProgressReport::compare);
    descriptions.forEach(
        (topic, description) ->
            description
                .partitions()
                .forEach(
                    p ->
                        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
    var uncommitted = listOffsets(admin, latest, IsolationLevel.READ_UNCOMMITTED);
    var committed = listOffsets(admin, latest, IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, OffsetAndMetadata> group =
        admin
            .listConsumerGroupOffsets(applicationId)
            .partitionsToOffsetAndMetadata()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<TopicPartition> gaps = new ArrayList<>();
    report.append(
        "partition: log end (read_uncommitted) / last stable (read_committed) / group committed\n");
    for (TopicPartition partition : latest.keySet()) {
      long end = uncommitted.get(partition);
      long stable = committed.get(partition);
      OffsetAndMetadata groupOffset = group.get(partition);
      report
          .append("  ")
          .append(partition)
          .append(": ")
          .append(end)
          .append(" / ")
          .append(stable)
          .append(groupOffset == null ? "" : " / " + groupOffset.offset())
          .append(end == stable ? "" : "  <- open transaction")
          .append('\n');
      if (end != stable) {
        gaps.add(partition);
      }
    }
    if (!gaps.isEmpty()) {
      var producers = admin.describeProducers(gaps).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      producers.forEach(
          (partition, state) -> {
            for (ProducerState producer : state.activeProducers()) {
              if (producer.currentTransactionStartOffset().isPresent()) {
                report.append("  ").append(partition).append(" held by ").append(producer);
                report.append('\n');
              }
            }
          });
    }
  }

  private static Map<TopicPartition, Long> listOffsets(
      Admin admin, Map<TopicPartition, OffsetSpec> specs, IsolationLevel isolation)
      throws ExecutionException, InterruptedException, TimeoutException {
    return admin
        .listOffsets(specs, new ListOffsetsOptions(isolation))
        .all()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .entrySet()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  private static void openTransactions(Admin admin, StringBuilder report)
      throws ExecutionException, InterruptedException, TimeoutException {
    Collection<TransactionListing> listings =
        admin.listTransactions().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<String> ids = listings.stream().map(TransactionListing::transactionalId).toList();
    report.append("transactions: ").append(listings.size()).append('\n');
    if (ids.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    new TreeMap<>(admin.describeTransactions(ids).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .forEach(
            (id, txn) ->
                report.append(
                    String.format(
                        "  %s: %s, producer %d epoch %d, %s, on %s%n",
                        id,
                        txn.state(),
                        txn.producerId(),
                        txn.producerEpoch(),
                        txn.transactionStartTimeMs().isPresent()
                            ? "started "
                                + (now - txn.transactionStartTimeMs().getAsLong())
                                + " ms ago"
                            : "not started",
                        txn.topicPartitions())));
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int byTopic = a.topic().compareTo(b.topic());
    return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
  }
}
