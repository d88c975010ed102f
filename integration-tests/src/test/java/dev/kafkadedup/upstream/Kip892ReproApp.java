package dev.kafkadedup.upstream;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The Kafka Streams app of {@link Kip892WindowStoreReproTest}, run as its own JVM so that the test
 * can SIGKILL it: one processor, one persistent window store (retention 3W, window W, segment
 * interval 1.5W, as in the project's previous release), EOS v2.
 *
 * <p>Input value: one byte op ('P' put, 'Q' query), the window timestamp (8 bytes), then the
 * payload a put stores. Output (topic {@code out}): "put" for a put, "hit" or "miss" for a query.
 *
 * <p>Args: bootstrap, application.id, state.dir, enable.transactional.statestores, input, output.
 */
public final class Kip892ReproApp {
  static final String STORE = "seen-ids";
  static final Duration WINDOW = Duration.ofHours(1);

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, args[1]);
    p.put(StreamsConfig.STATE_DIR_CONFIG, args[2]);
    p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, args[3]);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    String input = args[4];
    String output = args[5];

    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(STORE, WINDOW.multipliedBy(3), WINDOW, false),
                Serdes.String(),
                Serdes.ByteArray())
            .withCachingDisabled());
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(StoreProcessor::new, STORE)
        .to(output, Produced.with(Serdes.String(), Serdes.String()));

    KafkaStreams streams = new KafkaStreams(builder.build(), p);
    streams.setStateListener(
        (now, before) -> System.out.println("STATE " + now + " at " + System.currentTimeMillis()));
    streams.setGlobalStateRestoreListener(new Printer());
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(60));
                  System.out.println("CLOSED");
                  closed.countDown();
                }));
    streams.start();
    closed.await();
  }

  private static final class StoreProcessor implements Processor<String, byte[], String, String> {
    private ProcessorContext<String, String> context;
    private WindowStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      ByteBuffer in = ByteBuffer.wrap(record.value());
      byte op = in.get();
      long windowTime = in.getLong();
      if (op == 'P') {
        byte[] payload = new byte[in.remaining()];
        in.get(payload);
        store.put(record.key(), payload, windowTime);
        context.forward(record.withValue("put"));
      } else {
        byte[] found = store.fetch(record.key(), windowTime);
        context.forward(record.withValue(found == null ? "miss" : "hit"));
      }
    }
  }

  private static final class Printer implements StateRestoreListener {
    @Override
    public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
      System.out.printf("RESTORE-START %s %s from %d to %d%n", tp, store, start, end);
    }

    @Override
    public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long n) {}

    @Override
    public void onRestoreEnd(TopicPartition tp, String store, long total) {
      System.out.printf("RESTORE-END %s %s restored %d%n", tp, store, total);
    }
  }
}
