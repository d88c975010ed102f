package dev.kafkadedup.state;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdSource;
import dev.kafkadedup.kafka.KafkaClients;
import dev.kafkadedup.store.SeenIdStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;

/**
 * Seeds an application's changelog topic from a savepoint, so that its first start restores that
 * state, and sets its group's input offsets. The target may differ from the source in its input
 * partition count (IDs are re-keyed to their new partition), its {@code window.size} (IDs are
 * re-bucketed; those already out of the new window are dropped) and {@code id.store} raw → digest.
 *
 * <p>Where an ID's new partition cannot be computed (the digest of an ID whose partition the
 * producer chooses), it is written to every partition the ID can land on: the new partitions
 * congruent to its old one when the new count is a multiple of the old (true of any producer
 * partitioner of the form {@code hash(key) % partitions}, such as Kafka's), otherwise to all.
 */
public final class SavepointRestorer {
  /** Where the group's input offsets come from. */
  public enum Offsets {
    SNAPSHOT,
    EARLIEST,
    LATEST
  }

  private final DedupConfig config;
  private final PrintStream out;

  public SavepointRestorer(DedupConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /**
   * Restores {@code path}. {@code fromTime}, when set, wins over {@code offsets}. Without {@code
   * force} it refuses a target whose changelog already holds state.
   */
  public void restore(Path path, Offsets offsets, Instant fromTime, boolean force) {
    Savepoint.Summary summary = Savepoint.verify(path);
    Savepoint.Header header = summary.header();
    StateFormat source = header.format();
    StateFormat target = StateFormat.of(config);
    IdEncoding encoding = encodingFrom(source, target);
    String application = config.applicationId();
    String changelog = SeenIdStore.changelogTopic(application);
    Duration window = config.window();
    out.printf(
        "savepoint    : %s: %,d IDs of '%s' (%s, %d partitions), taken %s%n",
        path,
        summary.ids(),
        header.applicationId(),
        source.get(DedupConfig.WINDOW_SIZE),
        header.partitions(),
        header.created());
    try (Admin admin = Admin.create(KafkaClients.admin(config))) {
      Cluster.requireStopped(admin, application);
      Set<TopicPartition> inputPartitions = inputPartitions(admin);
      int partitions = statePartitions(inputPartitions);
      Map<TopicPartition, Long> groupOffsets =
          groupOffsets(admin, header, inputPartitions, offsets, fromTime);
      prepareChangelog(admin, changelog, partitions, window, force);
      Partitioning partitioning = partitioning(source, header.partitions(), partitions);
      out.printf(
          "target       : %s, %d partitions, %s%n",
          changelog, partitions, partitioning.description());
      long[] counts = writeChangelog(path, summary, changelog, window, encoding, partitioning);
      setGroupOffsets(admin, application, groupOffsets);
      StateFormatGuard.write(config, target);
      out.printf(
          "restored     : %,d IDs as %,d changelog records; %,d dropped (older than window %s"
              + " allows); group '%s' at %d input offsets%n",
          counts[0], counts[1], counts[2], window, application, groupOffsets.size());
    }
  }

  private static IdEncoding encodingFrom(StateFormat source, StateFormat target) {
    if (!StateFormat.CURRENT_LAYOUT.equals(source.get(StateFormat.LAYOUT))) {
      throw new StateCommandException(
          "the savepoint's state layout "
              + source.get(StateFormat.LAYOUT)
              + " is not "
              + StateFormat.CURRENT_LAYOUT);
    }
    String from = source.get(DedupConfig.ID_STORE);
    String to = target.get(DedupConfig.ID_STORE);
    if (from.equals(to)) {
      return null;
    }
    if (from.equals(IdEncoding.RAW.configValue()) && to.equals(IdEncoding.DIGEST.configValue())) {
      return IdEncoding.DIGEST;
    }
    throw new ConfigException(
        DedupConfig.ID_STORE,
        to,
        "the savepoint holds digests (id.store="
            + from
            + "), which cannot be turned back into"
            + " IDs: restore it with id.store="
            + from);
  }

  /** The target partitions of an ID (as stored in the target) that sat in {@code oldPartition}. */
  @FunctionalInterface
  private interface Targets {
    int[] of(byte[] storedId, byte[] sourceId, int oldPartition);
  }

  /** How a savepoint's IDs map to the target's state partitions, and how to say so. */
  private record Partitioning(String description, Targets targets) {}

  private Partitioning partitioning(StateFormat source, int oldCount, int newCount) {
    if (config.repartitionById()) {
      // the state partition is the repartition topic's, chosen by the producer from the stored ID
      return new Partitioning(
          "re-keyed by ID (repartitioned)",
          (stored, sourceId, old) -> new int[] {partitionOf(stored, newCount)});
    }
    boolean rawSource = IdEncoding.RAW.configValue().equals(source.get(DedupConfig.ID_STORE));
    if (config.idSource() == IdSource.KEY && rawSource) {
      // the key is the ID: Kafka's partitioner picks the partition from it
      return new Partitioning(
          "re-keyed by ID (the record key)",
          (stored, sourceId, old) -> new int[] {partitionOf(sourceId, newCount)});
    }
    boolean sourceByInput = !Boolean.parseBoolean(source.get(DedupConfig.ID_REPARTITION));
    if (sourceByInput && newCount % oldCount == 0) {
      int copies = newCount / oldCount;
      return new Partitioning(
          copies == 1
              ? "same partitions"
              : "each ID to the " + copies + " partitions it can land on",
          (stored, sourceId, old) -> {
            int[] targets = new int[copies];
            for (int i = 0; i < copies; i++) {
              targets[i] = old + i * oldCount;
            }
            return targets;
          });
    }
    int[] all = new int[newCount];
    for (int p = 0; p < newCount; p++) {
      all[p] = p;
    }
    return new Partitioning(
        "each ID to all " + newCount + " partitions (its new one cannot be known)",
        (s, r, o) -> all);
  }

  /** The partition Kafka's default partitioner gives a key. */
  private static int partitionOf(byte[] key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  /** Writes the entries; returns IDs kept, records written and IDs dropped. */
  private long[] writeChangelog(
      Path path,
      Savepoint.Summary summary,
      String changelog,
      Duration window,
      IdEncoding encoding,
      Partitioning partitioning) {
    long[] counts = new long[3];
    long[] newest = summary.newestTimes();
    // an ID still matters while a record within the window of it can arrive: records up to one
    // window behind stream time are deduplicated, so back to two windows (as the store keeps)
    long keep = 2 * window.toMillis();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.writer(config, "kafka-dedup-restore")) {
      Savepoint.read(
          path,
          saved -> {
            SeenIdStore.Entry entry = saved.entry();
            if (entry.first().time() <= newest[saved.partition()] - keep) {
              counts[2]++;
              return;
            }
            byte[] id = encoding == null ? entry.id() : encoding.encode(entry.id());
            var record =
                SeenIdStore.changelogRecord(new SeenIdStore.Entry(id, entry.first()), window);
            for (int partition : partitioning.targets().of(id, entry.id(), saved.partition())) {
              producer.send(
                  new ProducerRecord<>(changelog, partition, record.key, record.value),
                  (metadata, e) -> {
                    if (e != null) {
                      failure.compareAndSet(null, e);
                    }
                  });
              counts[1]++;
            }
            counts[0]++;
            throwIfFailed(failure, changelog); // stop at the first failed write, not at the end
          });
      producer.flush();
    }
    throwIfFailed(failure, changelog);
    return counts;
  }

  private static void throwIfFailed(AtomicReference<Exception> failure, String changelog) {
    if (failure.get() != null) {
      throw new StateCommandException("cannot write to " + changelog + ": " + failure.get());
    }
  }

  /** The target's input partitions. */
  private Set<TopicPartition> inputPartitions(Admin admin) {
    List<String> topics = new ArrayList<>(config.inputTopics());
    if (config.inputPattern().isPresent()) {
      topics.addAll(
          Cluster.await(admin.listTopics().names(), "list topics").stream()
              .filter(t -> config.inputPattern().get().matcher(t).matches())
              .toList());
    }
    Set<TopicPartition> partitions = new TreeSet<>(Cluster.PARTITION_ORDER);
    for (String topic : topics) {
      int count = Cluster.partitionCount(admin, topic);
      if (count == 0) {
        throw new StateCommandException("input topic '" + topic + "' does not exist");
      }
      for (int p = 0; p < count; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
    }
    if (partitions.isEmpty()) {
      throw new StateCommandException("no input topic matches " + config.inputPattern().get());
    }
    return partitions;
  }

  /** Kafka Streams gives a repartition topic (and each task) the most partitions of its inputs. */
  private static int statePartitions(Set<TopicPartition> inputs) {
    return inputs.stream().mapToInt(tp -> tp.partition() + 1).max().orElseThrow();
  }

  private Map<TopicPartition, Long> groupOffsets(
      Admin admin,
      Savepoint.Header header,
      Set<TopicPartition> inputs,
      Offsets offsets,
      Instant fromTime) {
    if (fromTime != null) {
      return listOffsets(admin, inputs, OffsetSpec.forTimestamp(fromTime.toEpochMilli()));
    }
    return switch (offsets) {
      case EARLIEST -> listOffsets(admin, inputs, OffsetSpec.earliest());
      case LATEST -> listOffsets(admin, inputs, OffsetSpec.latest());
      case SNAPSHOT -> {
        Set<TopicPartition> saved = header.offsets().keySet();
        if (!saved.equals(inputs)) {
          throw new StateCommandException(
              "the savepoint's input offsets are for "
                  + topicsOf(saved)
                  + ", the input now is "
                  + topicsOf(inputs)
                  + ": choose where to start with --from-offsets"
                  + " earliest|latest or --from-time");
        }
        yield header.offsets();
      }
    };
  }

  private static String topicsOf(Set<TopicPartition> partitions) {
    Map<String, Integer> counts = new TreeMap<>();
    partitions.forEach(tp -> counts.merge(tp.topic(), 1, Integer::sum));
    return counts.isEmpty() ? "no topic" : counts.toString().replace("=", " x");
  }

  private static Map<TopicPartition, Long> listOffsets(
      Admin admin, Set<TopicPartition> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, Long> result = new TreeMap<>(Cluster.PARTITION_ORDER);
    Cluster.await(admin.listOffsets(request).all(), "list offsets")
        .forEach((tp, info) -> result.put(tp, info.offset()));
    // a time after a partition's last record has no offset (-1): start at its end
    if (result.containsValue(-1L)) {
      Map<TopicPartition, Long> ends = listOffsets(admin, partitions, OffsetSpec.latest());
      result.replaceAll((tp, offset) -> offset < 0 ? ends.get(tp) : offset);
    }
    return result;
  }

  private void prepareChangelog(
      Admin admin, String changelog, int partitions, Duration window, boolean force) {
    int existing = Cluster.partitionCount(admin, changelog);
    if (existing == 0) {
      Cluster.createTopic(
          admin,
          new NewTopic(changelog, partitions, (short) -1)
              .configs(SeenIdStore.changelogConfig(window)));
      return;
    }
    if (existing != partitions) {
      throw new StateCommandException(
          "topic '"
              + changelog
              + "' has "
              + existing
              + " partitions, the input "
              + partitions
              + ": remove the old state with 'reset' first");
    }
    Set<TopicPartition> all = new HashSet<>();
    for (int p = 0; p < partitions; p++) {
      all.add(new TopicPartition(changelog, p));
    }
    long records =
        listOffsets(admin, all, OffsetSpec.latest()).values().stream().mapToLong(o -> o).sum();
    if (records > 0 && !force) {
      throw new StateCommandException(
          "application '"
              + config.applicationId()
              + "' already has state ("
              + records
              + " records in "
              + changelog
              + "): pass --force to add the savepoint's IDs to it,"
              + " or 'reset' it first");
    }
  }

  private static void setGroupOffsets(
      Admin admin, String group, Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> request = new HashMap<>();
    offsets.forEach((tp, offset) -> request.put(tp, new OffsetAndMetadata(offset)));
    Cluster.await(
        admin.alterConsumerGroupOffsets(group, request).all(),
        "set the offsets of group '" + group + "'");
  }
}
