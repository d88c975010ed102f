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
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The dedup recipes a Kafka Streams user writes without this service, written faithfully as the
 * baselines: re-key by the event ID and repartition (unless the ID is the key), then check each
 * record against a store of seen IDs.
 *
 * <ul>
 *   <li>{@link #windowStore}: as in the public Kafka Streams examples, fetch the ID from a window
 *       store over {@code [t - W/2, t + W/2]}; a hit drops the record and refreshes the stored
 *       timestamp, a miss remembers the ID and forwards the record.
 *   <li>{@link #keyValue}: get the ID from a key-value store; absent or older than W, put it with
 *       the record's timestamp and forward, otherwise drop. Nothing ever expires.
 * </ul>
 */
final class DedupRecipes {
  private static final Serde<byte[]> BYTES = Serdes.ByteArray();
  private static final String STORE = "event-id-store";

  private DedupRecipes() {}

  static Topology windowStore(
      String input, String output, IdExtractor extractor, boolean idInKey, Duration window) {
    return build(
        input,
        output,
        extractor,
        idInKey,
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(STORE, window, window, false), BYTES, Serdes.Long()),
        () -> new WindowStoreProcessor(window));
  }

  static Topology keyValue(
      String input, String output, IdExtractor extractor, boolean idInKey, Duration window) {
    return build(
        input,
        output,
        extractor,
        idInKey,
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), BYTES, Serdes.Long()),
        () -> new KeyValueProcessor(window));
  }

  private static Topology build(
      String input,
      String output,
      IdExtractor extractor,
      boolean idInKey,
      StoreBuilder<?> store,
      ProcessorSupplier<byte[], byte[], byte[], byte[]> dedup) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(store);
    KStream<byte[], byte[]> stream = builder.stream(input, Consumed.with(BYTES, BYTES));
    if (!idInKey) {
      stream =
          stream
              .selectKey((key, value) -> idOrNull(extractor, key, value))
              .repartition(Repartitioned.with(BYTES, BYTES).withName("by-id"));
    }
    stream.process(dedup, STORE).to(output, Produced.with(BYTES, BYTES));
    return builder.build();
  }

  private static byte[] idOrNull(IdExtractor extractor, byte[] key, byte[] value) {
    try {
      return extractor.extract(key, value, null);
    } catch (IdExtractionException e) {
      return null;
    }
  }

  private static final class WindowStoreProcessor
      implements Processor<byte[], byte[], byte[], byte[]> {
    private final long leftMs;
    private final long rightMs;
    private ProcessorContext<byte[], byte[]> context;
    private WindowStore<byte[], Long> eventIds;

    WindowStoreProcessor(Duration window) {
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

  private static final class KeyValueProcessor
      implements Processor<byte[], byte[], byte[], byte[]> {
    private final long windowMs;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<byte[], Long> eventIds;

    KeyValueProcessor(Duration window) {
      this.windowMs = window.toMillis();
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
      Long seen = eventIds.get(eventId);
      if (seen == null || Math.abs(record.timestamp() - seen) >= windowMs) {
        eventIds.put(eventId, record.timestamp());
        context.forward(record);
      }
    }
  }
}
