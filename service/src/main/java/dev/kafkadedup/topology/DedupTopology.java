package dev.kafkadedup.topology;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdExtractors;
import dev.kafkadedup.store.SeenIdStore;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Builds the dedup topology from the configuration alone:
 *
 * <pre>
 * input ─▶ dedup ─┬▶ output            (first occurrences, unchanged)
 *                 ├▶ duplicates topic  (or dropped)
 *                 └▶ dead-letter topic (no usable ID)
 * </pre>
 *
 * When the ID is not the record key (and {@code id.repartition} is on), a keying step first
 * extracts the ID and sends each record through the {@code by-id} repartition topic, so every
 * occurrence of an ID meets the same store partition.
 *
 * <p>Each processor forwards a record to the one sink it belongs to, by name: a unique record
 * passes three nodes (source, dedup, sink) and no wrapper object.
 */
public final class DedupTopology {
  static final String OUTPUT = "output";
  static final String DUPLICATES = "duplicates";
  static final String DEAD_LETTERS = "dead-letters";
  static final String KEYING_DEAD_LETTERS = "keying-dead-letters";

  /** The repartition's null-key filter: the first node Kafka Streams puts before its sink. */
  static final String BY_ID = "by-id-repartition-filter";

  private static final Serde<byte[]> BYTES = Serdes.ByteArray();

  private DedupTopology() {}

  public static Topology build(DedupConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(SeenIdStore.builder(config.window()));
    Consumed<byte[], byte[]> consumed = Consumed.with(BYTES, BYTES).withName("input");
    KStream<byte[], byte[]> input =
        config
            .inputPattern()
            .map(pattern -> builder.stream(pattern, consumed))
            .orElseGet(() -> builder.stream(config.inputTopics(), consumed));
    var extractor =
        IdExtractors.forSource(
            config.idSource(),
            config.idJsonPointers(),
            config.idJsonValidation(),
            config.idHeader());

    KStream<byte[], byte[]> deduped;
    if (config.repartitionById()) {
      KStream<byte[], byte[]> keyed =
          input.process(
              () -> new IdKeyingProcessor(extractor, config.idEncoding()), Named.as("extract-id"));
      toTopic(keyed, config.deadLetterTopic(), KEYING_DEAD_LETTERS);
      deduped =
          keyed
              .repartition(
                  Repartitioned.<byte[], byte[]>as("by-id")
                      .withKeySerde(BYTES)
                      .withValueSerde(BYTES))
              .process(
                  () -> dedup(config, DedupProcessor.repartitioned()),
                  Named.as("dedup"),
                  SeenIdStore.NAME);
    } else {
      deduped =
          input.process(
              () -> dedup(config, DedupProcessor.extracting(extractor, config.idEncoding())),
              Named.as("dedup"),
              SeenIdStore.NAME);
    }
    toTopic(deduped, config.outputTopic(), OUTPUT);
    config.duplicatesTopic().ifPresent(topic -> toTopic(deduped, topic, DUPLICATES));
    if (!config.repartitionById()) {
      toTopic(deduped, config.deadLetterTopic(), DEAD_LETTERS);
    }
    return builder.build();
  }

  private static DedupProcessor dedup(
      DedupConfig config, DedupProcessor.Identification identification) {
    return new DedupProcessor(
        identification, config.window(), config.windowTime(), config.duplicatesTopic().isPresent());
  }

  private static void toTopic(KStream<byte[], byte[]> stream, String topic, String name) {
    stream.to(topic, Produced.with(BYTES, BYTES).withName(name));
  }
}
