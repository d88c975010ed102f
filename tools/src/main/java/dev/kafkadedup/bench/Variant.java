package dev.kafkadedup.bench;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdExtractor;
import dev.kafkadedup.id.IdExtractors;
import dev.kafkadedup.id.IdSource;
import dev.kafkadedup.topology.DedupTopology;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** What the benchmark compares, each run on the same preloaded input. */
public enum Variant {
  /** EOS v2 passthrough with Kafka Streams' defaults: what a user gets out of the box. */
  DEFAULT(false, true) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return passthrough(setup, config);
    }
  },
  /** The same passthrough with this service's tuned configuration: the limit for EOS here. */
  CEILING(false, false) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return passthrough(setup, config);
    }
  },
  /** The window-store dedup recipe of the Kafka Streams examples, at Kafka Streams' defaults. */
  WINDOWSTORE(true, true) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return DedupRecipes.windowStore(
          setup.inputTopic(),
          config.outputTopic(),
          benchId(config),
          setup.idInKey(),
          config.window());
    }
  },
  /** The key-value-store dedup recipe (get, put if absent), at Kafka Streams' defaults. */
  KEYVALUE(true, true) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return DedupRecipes.keyValue(
          setup.inputTopic(),
          config.outputTopic(),
          benchId(config),
          setup.idInKey(),
          config.window());
    }
  },
  /** This service as shipped. */
  DEDUP(true, false) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return DedupTopology.build(config);
    }
  },
  /** This service with at-least-once processing: the price of exactly-once. */
  ALOS(
      true,
      false,
      Map.of(
          DedupConfig.KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
          StreamsConfig.AT_LEAST_ONCE)) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return DedupTopology.build(config);
    }
  },
  /** This service reading JSON only up to the ID: the price of validating whole values. */
  IDONLY(true, false, Map.of(DedupConfig.ID_JSON_VALIDATE, "id-only")) {
    @Override
    Topology topology(Setup setup, DedupConfig config) {
      return DedupTopology.build(config);
    }
  };

  private static final Serde<byte[]> BYTES = Serdes.ByteArray();

  /** What every variant shares: where the input is and the overrides of the tuned settings. */
  public record Setup(
      String bootstrapServers,
      String inputTopic,
      int partitions,
      boolean idInKey,
      String window,
      String stateDir,
      Map<String, String> overrides) {
    /** The same setup on another input topic. */
    Setup withInputTopic(String topic) {
      return new Setup(bootstrapServers, topic, partitions, idInKey, window, stateDir, overrides);
    }
  }

  abstract Topology topology(Setup setup, DedupConfig config);

  /** True when the output holds one record per distinct ID, not one per input record. */
  private final boolean dedups;

  /** True when it runs with Kafka Streams' defaults, as a user writing it alone would. */
  private final boolean streamsDefaults;

  /** Service settings this variant changes (after the user's overrides). */
  private final Map<String, String> changes;

  Variant(boolean dedups, boolean streamsDefaults) {
    this(dedups, streamsDefaults, Map.of());
  }

  Variant(boolean dedups, boolean streamsDefaults, Map<String, String> changes) {
    this.dedups = dedups;
    this.streamsDefaults = streamsDefaults;
    this.changes = changes;
  }

  boolean dedups() {
    return dedups;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  String outputTopic(int round) {
    return "bench-" + label() + "-" + round + "-out";
  }

  String deadLetterTopic(int round) {
    return "bench-" + label() + "-" + round + "-dlq";
  }

  /** The service configuration this variant runs with. */
  Map<String, String> settings(Setup setup, int round) {
    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.bootstrap.servers", setup.bootstrapServers());
    settings.put("kafka.application.id", "bench-" + label() + "-" + round);
    settings.put("kafka.state.dir", setup.stateDir());
    settings.put(DedupConfig.INPUT_TOPICS, setup.inputTopic());
    settings.put(DedupConfig.OUTPUT_TOPIC, outputTopic(round));
    settings.put(DedupConfig.DEAD_LETTER_TOPIC, deadLetterTopic(round));
    settings.put(DedupConfig.ID_SOURCE, setup.idInKey() ? "key" : "json");
    settings.put(DedupConfig.ID_JSON_POINTERS, BenchData.ID_POINTER);
    settings.put(DedupConfig.WINDOW_SIZE, setup.window());
    settings.putAll(setup.overrides());
    settings.putAll(changes);
    return settings;
  }

  /** Kafka Streams properties: Streams' defaults, or the tuned service settings. */
  Properties properties(Setup setup, DedupConfig config) {
    return streamsDefaults ? defaultProperties(setup, config) : config.streamsProperties();
  }

  /** What a user who writes the app alone would run: EOS v2 and otherwise Streams' defaults. */
  private static Properties defaultProperties(Setup setup, DedupConfig config) {
    Properties props = new Properties();
    props.put(
        StreamsConfig.APPLICATION_ID_CONFIG,
        config.streamsProperties().get(StreamsConfig.APPLICATION_ID_CONFIG));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, setup.bootstrapServers());
    props.put(StreamsConfig.STATE_DIR_CONFIG, setup.stateDir());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  /** The recipes read the bench data's JSON ID as the service is configured to. */
  private static IdExtractor benchId(DedupConfig config) {
    return IdExtractors.forSource(
        IdSource.JSON, List.of(BenchData.ID_POINTER), config.idJsonValidation(), "");
  }

  private static Topology passthrough(Setup setup, DedupConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(setup.inputTopic(), Consumed.with(BYTES, BYTES))
        .to(config.outputTopic(), Produced.with(BYTES, BYTES));
    return builder.build();
  }
}
