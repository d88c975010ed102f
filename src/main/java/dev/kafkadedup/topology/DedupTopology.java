package dev.kafkadedup.topology;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdExtractors;
import dev.kafkadedup.store.SeenIdStore;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
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
 */
public final class DedupTopology {
  private static final Serde<byte[]> BYTES = Serdes.ByteArray();
  private static final String ROUTE = "route-";

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

    KStream<byte[], Routed> routed;
    if (config.repartitionById()) {
      Map<String, KStream<byte[], Routed>> keyed =
          input
              .process(
                  () ->
                      new IdKeyingProcessor(
                          IdExtractors.forSource(
                              config.idSource(), config.idJsonPointers(), config.idHeader()),
                          config.idEncoding()),
                  Named.as("extract-id"))
              .split(Named.as("keying-"))
              .branch((k, r) -> r.is(Routed.Route.DEAD_LETTER), Branched.as("dead"))
              .defaultBranch(Branched.as("keyed"));
      toDeadLetters(keyed.get("keying-dead"), config, "keying-");
      routed =
          keyed
              .get("keying-keyed")
              .mapValues(Routed::payload, Named.as("keyed-payload"))
              .repartition(
                  Repartitioned.<byte[], byte[]>as("by-id")
                      .withKeySerde(BYTES)
                      .withValueSerde(BYTES))
              .process(
                  () ->
                      new DedupProcessor(
                          DedupProcessor.repartitioned(),
                          config.window(),
                          config.windowTime(),
                          config.duplicatesTopic().isPresent()),
                  Named.as("dedup"),
                  SeenIdStore.NAME);
    } else {
      routed =
          input.process(
              () ->
                  new DedupProcessor(
                      DedupProcessor.extracting(
                          IdExtractors.forSource(
                              config.idSource(), config.idJsonPointers(), config.idHeader()),
                          config.idEncoding()),
                      config.window(),
                      config.windowTime(),
                      config.duplicatesTopic().isPresent()),
              Named.as("dedup"),
              SeenIdStore.NAME);
    }

    BranchedKStream<byte[], Routed> routes = routed.split(Named.as(ROUTE));
    config
        .duplicatesTopic()
        .ifPresent(
            topic ->
                routes.branch(
                    (k, r) -> r.is(Routed.Route.DUPLICATE),
                    Branched.withConsumer(s -> toTopic(s, topic, "duplicates"), "duplicates")));
    if (!config.repartitionById()) {
      routes.branch(
          (k, r) -> r.is(Routed.Route.DEAD_LETTER),
          Branched.withConsumer(s -> toDeadLetters(s, config, ROUTE), "dead"));
    }
    routes.defaultBranch(
        Branched.withConsumer(s -> toTopic(s, config.outputTopic(), "output"), "unique"));
    return builder.build();
  }

  private static void toDeadLetters(
      KStream<byte[], Routed> stream, DedupConfig config, String prefix) {
    toTopic(stream, config.deadLetterTopic(), prefix + "dead-letters");
  }

  private static void toTopic(KStream<byte[], Routed> stream, String topic, String name) {
    stream
        .mapValues(Routed::payload, Named.as(name + "-payload"))
        .to(topic, Produced.with(BYTES, BYTES).withName(name));
  }
}
