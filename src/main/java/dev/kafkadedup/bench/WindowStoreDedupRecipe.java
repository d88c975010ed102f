package dev.kafkadedup.bench;

import dev.kafkadedup.id.IdExtractionException;
import dev.kafkadedup.id.IdExtractor;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The common Kafka Streams dedup recipe, as in the public Kafka Streams examples, written
 * faithfully as the baseline: re-key by the event ID, repartition, then for each record fetch the
 * ID from a window store over {@code [t - W/2, t + W/2]}; a hit drops the record and refreshes the
 * stored timestamp, a miss remembers the ID and forwards the record.
 */
final class WindowStoreDedupRecipe {
  private static final Serde<byte[]> BYTES = Serdes.ByteArray();
  private static final String STORE = "event-id-store";

  private WindowStoreDedupRecipe() {}

  static Topology build(
      String input, String output, IdExtractor extractor, boolean idInKey, Duration window) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(STORE, window, window, false), BYTES, Serdes.Long()));
    KStream<byte[], byte[]> stream = builder.stream(input, Consumed.with(BYTES, BYTES));
    if (!idInKey) {
      stream =
          stream
              .selectKey((key, value) -> idOrNull(extractor, key, value))
              .repartition(Repartitioned.with(BYTES, BYTES).withName("by-id"));
    }
    stream
        .process(() -> new DeduplicationProcessor(window), STORE)
        .to(output, Produced.with(BYTES, BYTES));
    return builder.build();
  }

  private static byte[] idOrNull(IdExtractor extractor, byte[] key, byte[] value) {
    try {
      return extractor.extract(key, value, null);
    } catch (IdExtractionException e) {
      return null;
    }
  }

  private static final class DeduplicationProcessor
      implements Processor<byte[], byte[], byte[], byte[]> {
    private final long leftMs;
    private final long rightMs;
    private ProcessorContext<byte[], byte[]> context;
    private WindowStore<byte[], Long> eventIds;

    DeduplicationProcessor(Duration window) {
      this.leftMs = window.toMillis() / 2;
      this.rightMs = window.toMillis() - leftMs;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
      this.context = context;
      this.eventIds = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      byte[] eventId = record.key();
      if (eventId == null) {
        context.forward(record);
        return;
      }
      long time = record.timestamp();
      boolean duplicate;
      try (WindowStoreIterator<Long> seen =
          eventIds.fetch(eventId, time - leftMs, time + rightMs)) {
        duplicate = seen.hasNext();
      }
      // As in the recipe: a duplicate refreshes the stored time so the ID does not expire.
      eventIds.put(eventId, time, time);
      if (!duplicate) {
        context.forward(record);
      }
    }
  }
}
