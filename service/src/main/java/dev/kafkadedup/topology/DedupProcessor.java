package dev.kafkadedup.topology;

import dev.kafkadedup.config.DedupConfig.WindowTime;
import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdExtractionException;
import dev.kafkadedup.id.IdExtractor;
import dev.kafkadedup.metrics.RecordCounters;
import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Checks each record's ID against the seen-ID store and forwards it straight to its sink: the first
 * occurrence inside the window to the output, repeats to the duplicates topic (or nowhere), records
 * without an ID to the dead letters. Forwarded records keep key, value, headers and timestamp as
 * they arrived.
 *
 * <p>A record is a duplicate when an earlier-processed record with the same ID has a window time
 * within the window of its own. A record that arrives again with the coordinates of the stored
 * first occurrence is a replay of that record (at-least-once restart) and is forwarded again. A
 * record older than the window behind stream time is forwarded but not remembered: its bucket may
 * be gone.
 */
final class DedupProcessor implements Processor<byte[], byte[], byte[], byte[]> {

  /** How a record's stored ID and origin are found. */
  interface Identification {
    Keyed identify(Record<byte[], byte[]> record, RecordMetadata metadata)
        throws IdExtractionException;
  }

  /** A record's stored ID and where it came from. */
  record Keyed(byte[] id, Origin origin) {}

  private final Identification identification;
  private final Duration window;
  private final WindowTime windowTime;
  private final boolean keepDuplicates;
  private ProcessorContext<byte[], byte[]> context;
  private SeenIdStore seenIds;
  private RecordCounters.Cursor counters;

  DedupProcessor(
      Identification identification,
      Duration window,
      WindowTime windowTime,
      boolean keepDuplicates) {
    this.identification = identification;
    this.window = window;
    this.windowTime = windowTime;
    this.keepDuplicates = keepDuplicates;
  }

  /** Extracts the ID from the record itself (the ID is the key, or the input is partitioned). */
  static Identification extracting(IdExtractor extractor, IdEncoding encoding) {
    return (record, metadata) ->
        new Keyed(
            encoding.encode(extractor.extract(record.key(), record.value(), record.headers())),
            new Origin(metadata.topic(), metadata.partition(), metadata.offset(), record.key()));
  }

  /** Takes the ID from the key and the origin from the header set by {@link IdKeyingProcessor}. */
  static Identification repartitioned() {
    return (record, metadata) -> {
      Origin origin = Origin.takeFrom(record.headers());
      if (origin == null) {
        // Not written by this topology's keying step: treat the repartition record as its own
        // origin rather than fail.
        origin = new Origin(metadata.topic(), metadata.partition(), metadata.offset(), null);
      }
      return new Keyed(record.key(), origin);
    };
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.seenIds = new SeenIdStore(context.getStateStore(SeenIdStore.NAME), window);
    this.counters = RecordCounters.from(context.appConfigs()).cursor();
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata metadata = context.recordMetadata().orElseThrow();
    Keyed keyed;
    try {
      keyed = identification.identify(record, metadata);
    } catch (IdExtractionException e) {
      RecordCounters.Topic counted = counters.of(metadata.topic());
      counted.in();
      counted.deadLetter();
      DedupHeaders.addDeadLetter(record.headers(), e, metadata, record.timestamp());
      context.forward(record, DedupTopology.DEAD_LETTERS);
      return;
    }
    Origin origin = keyed.origin();
    RecordCounters.Topic counted = counters.of(origin.topic());
    if (origin.topic().equals(metadata.topic())) {
      // Read from the input itself; a record from the by-id topic was counted by the keying step.
      counted.in();
    }
    long time;
    long streamTime;
    if (windowTime == WindowTime.EVENT) {
      time = record.timestamp();
      streamTime = Math.max(time, context.currentStreamTimeMs());
    } else {
      time = context.currentSystemTimeMs();
      streamTime = time;
    }

    FirstOccurrence first = seenIds.find(keyed.id(), time, streamTime);
    Record<byte[], byte[]> out =
        record.key() == origin.key() ? record : record.withKey(origin.key());
    if (first == null) {
      if (!seenIds.isExpired(time, streamTime)) {
        seenIds.remember(
            keyed.id(),
            new FirstOccurrence(time, origin.topic(), origin.partition(), origin.offset()));
      }
      counted.unique();
      context.forward(out, DedupTopology.OUTPUT);
    } else if (first.isSameRecord(origin.topic(), origin.partition(), origin.offset())) {
      counted.unique();
      context.forward(out, DedupTopology.OUTPUT);
    } else {
      counted.duplicate();
      if (keepDuplicates) {
        DedupHeaders.addDuplicate(out.headers(), first, origin, record.timestamp());
        context.forward(out, DedupTopology.DUPLICATES);
      }
    }
  }
}
