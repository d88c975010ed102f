package dev.kafkadedup.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-topic record counters the topology's processors increment. They reach the processors
 * through the Kafka Streams configuration ({@link #CONFIG}), so the topology stays a function of
 * the service configuration; without it (e.g. under TopologyTestDriver) nothing is counted.
 */
public final class RecordCounters {
  /** Key of this object in the Kafka Streams configuration (not a Kafka setting). */
  public static final String CONFIG = "dedup.record.counters";

  /** Counts nothing: a composite registry without members hands out no-op meters. */
  private static final RecordCounters NONE = new RecordCounters(new CompositeMeterRegistry());

  private final MeterRegistry registry;
  private final Map<String, Topic> byTopic = new ConcurrentHashMap<>();

  /**
   * Counters registered in {@code registry}; the service passes them to Kafka Streams as {@link
   * #CONFIG}.
   */
  public RecordCounters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The counters found in a processor's {@code appConfigs()}, or ones that count nothing. */
  public static RecordCounters from(Map<String, Object> appConfigs) {
    return appConfigs.get(CONFIG) instanceof RecordCounters counters ? counters : NONE;
  }

  /** Registers the counters of {@code topic} now, so they are exported as 0 before any record. */
  void register(String topic) {
    topic(topic);
  }

  private Topic topic(String topic) {
    return byTopic.computeIfAbsent(topic, t -> new Topic(registry, t));
  }

  /**
   * A cursor for one processor instance (one stream thread): remembers the last topic's counters,
   * so a record costs a string comparison and a counter increment, no lookup or allocation.
   */
  public Cursor cursor() {
    return new Cursor(this);
  }

  /** See {@link #cursor()}; not thread-safe, like the processor that owns it. */
  public static final class Cursor {
    private final RecordCounters counters;
    private String lastTopic;
    private Topic last;

    private Cursor(RecordCounters counters) {
      this.counters = counters;
    }

    /** The counters of {@code topic}. */
    public Topic of(String topic) {
      // equals() on the same instance, or a short name, costs next to nothing.
      if (!topic.equals(lastTopic)) {
        last = counters.topic(topic);
        lastTopic = topic;
      }
      return last;
    }
  }

  /** The counters of one input topic. */
  public static final class Topic {
    private final Counter in;
    private final Counter unique;
    private final Counter duplicate;
    private final Counter deadLetter;

    private Topic(MeterRegistry registry, String topic) {
      in = counter(registry, MetricNames.RECORDS_IN, topic, "records read from the input topic");
      unique =
          counter(registry, MetricNames.RECORDS_UNIQUE, topic, "first occurrences sent to output");
      duplicate =
          counter(registry, MetricNames.RECORDS_DUPLICATE, topic, "repeats inside the window");
      deadLetter =
          counter(registry, MetricNames.RECORDS_DEAD_LETTER, topic, "records without a usable ID");
    }

    private static Counter counter(
        MeterRegistry registry, String name, String topic, String description) {
      return Counter.builder(name)
          .description(description)
          .tag(MetricNames.TOPIC, topic)
          .register(registry);
    }

    public void in() {
      in.increment();
    }

    public void unique() {
      unique.increment();
    }

    public void duplicate() {
      duplicate.increment();
    }

    public void deadLetter() {
      deadLetter.increment();
    }
  }
}
