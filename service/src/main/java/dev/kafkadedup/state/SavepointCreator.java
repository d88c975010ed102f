package dev.kafkadedup.state;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.kafka.KafkaClients;
import dev.kafkadedup.store.SeenIdStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Takes a savepoint from an application's changelog topic, up to its last stable offsets, so it
 * works while the service runs or is stopped. The snapshot must match the group's committed
 * offsets: Kafka Streams commits both in one transaction, so the creator reads the offsets, then
 * the changelog's ends, then the offsets again, and retries until they did not move in between
 * (and, for a repartitioned topology, until the repartition topic holds nothing unprocessed, whose
 * IDs the state would miss).
 */
public final class SavepointCreator {
  private static final Duration PAUSE = Duration.ofMillis(200);

  private final DedupConfig config;
  private final PrintStream out;

  public SavepointCreator(DedupConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Writes the savepoint to {@code path}; returns what it holds. */
  public Savepoint.Summary create(Path path, Duration timeout) throws InterruptedException {
    String application = config.applicationId();
    String changelog = SeenIdStore.changelogTopic(application);
    StateFormat recorded = StateFormatGuard.read(config);
    StateFormat format = recorded != null ? recorded : StateFormat.of(config);
    try (Admin admin = Admin.create(KafkaClients.admin(config));
        KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.reader(config, "kafka-dedup-savepoint")) {
      int partitions = partitionCount(admin, changelog);
      List<TopicPartition> changelogPartitions = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        changelogPartitions.add(new TopicPartition(changelog, p));
      }
      Cut cut = consistentCut(admin, consumer, changelogPartitions, timeout);
      Savepoint.Header header =
          new Savepoint.Header(Instant.now(), application, format, partitions, cut.inputOffsets());
      out.printf(
          "savepoint    : %s, %d partitions, up to changelog offsets %s%n",
          changelog, partitions, cut.changelogEnds().values());
      Duration window = Duration.parse(format.get(DedupConfig.WINDOW_SIZE));
      try (Savepoint.Writer writer = new Savepoint.Writer(path, header)) {
        consumer.assign(changelogPartitions);
        consumer.seekToBeginning(changelogPartitions);
        long[] progressAt = {System.nanoTime()};
        KafkaClients.readToEnd(
            consumer,
            cut.changelogEnds(),
            record -> {
              SeenIdStore.Entry entry =
                  SeenIdStore.fromChangelogRecord(record.key(), record.value());
              if (entry == null) {
                return;
              }
              try {
                writer.write(record.partition(), entry);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              if (System.nanoTime() - progressAt[0] > 2_000_000_000L) {
                progressAt[0] = System.nanoTime();
                out.printf("read         : %,d IDs%n", writer.ids());
              }
            });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write savepoint " + path, e);
      }
      // read back from disk, as restore will: the file is only reported once it checks out
      Savepoint.Summary summary = Savepoint.verify(path);
      out.printf(
          "written      : %s: %,d IDs (window %s), %,d bytes, input offsets of %d partitions%n",
          path, summary.ids(), window, summary.bytes(), cut.inputOffsets().size());
      return summary;
    }
  }

  /** The group's input offsets and the changelog ends that match them. */
  private record Cut(
      Map<TopicPartition, Long> inputOffsets, Map<TopicPartition, Long> changelogEnds) {}

  private Cut consistentCut(
      Admin admin,
      KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> changelogPartitions,
      Duration timeout)
      throws InterruptedException {
    String application = config.applicationId();
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem;
    do {
      Map<TopicPartition, Long> before = Cluster.groupOffsets(admin, application);
      Map<TopicPartition, Long> ends = consumer.endOffsets(changelogPartitions);
      Map<TopicPartition, Long> after = Cluster.groupOffsets(admin, application);
      long unprocessed;
      if (!before.equals(after)) {
        lastProblem = "the service committed while the savepoint was being cut";
      } else if ((unprocessed = unprocessedRepartitioned(consumer, after, application)) > 0) {
        lastProblem =
            "the repartition topic holds "
                + unprocessed
                + " records the service has not processed yet (their IDs are in no state):"
                + " let it catch up";
      } else {
        Map<TopicPartition, Long> inputs = new TreeMap<>(Cluster.PARTITION_ORDER);
        after.forEach(
            (tp, offset) -> {
              if (!Cluster.isRepartitionTopic(application, tp.topic())) {
                inputs.put(tp, offset);
              }
            });
        return new Cut(inputs, ends);
      }
      TimeUnit.MILLISECONDS.sleep(PAUSE.toMillis());
    } while (System.nanoTime() < deadline);
    throw new StateCommandException(
        "no consistent savepoint within " + timeout + ": " + lastProblem);
  }

  /**
   * Records in the application's repartition topics past the group's committed offsets. Counted by
   * reading them: transaction markers take offsets too, so end minus committed is no count.
   */
  static long unprocessedRepartitioned(
      KafkaConsumer<byte[], byte[]> consumer,
      Map<TopicPartition, Long> committed,
      String application) {
    // every partition of the repartition topics: one the dedup step never committed on is
    // unprocessed from its beginning
    List<TopicPartition> repartition = new ArrayList<>();
    consumer
        .listTopics()
        .forEach(
            (topic, infos) -> {
              if (Cluster.isRepartitionTopic(application, topic)) {
                infos.forEach(info -> repartition.add(new TopicPartition(topic, info.partition())));
              }
            });
    if (repartition.isEmpty()) {
      return 0;
    }
    consumer.assign(repartition);
    consumer.seekToBeginning(repartition);
    repartition.forEach(
        tp -> {
          if (committed.containsKey(tp)) {
            consumer.seek(tp, committed.get(tp));
          }
        });
    long[] unprocessed = {0};
    KafkaClients.readToEnd(consumer, repartition, record -> unprocessed[0]++);
    consumer.unsubscribe();
    return unprocessed[0];
  }

  private static int partitionCount(Admin admin, String changelog) {
    int partitions = Cluster.partitionCount(admin, changelog);
    if (partitions == 0) {
      throw new StateCommandException(
          "there is no state to save: topic '" + changelog + "' does not exist");
    }
    return partitions;
  }
}
