package dev.kafkadedup.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Records end-to-end latency on the Kafka Streams producer: from a unique record's timestamp (kept
 * from the input record) to the broker's acknowledgement of its write to the output topic. Under
 * exactly-once the record becomes visible to {@code read_committed} consumers when its transaction
 * commits, at most {@code commit.interval.ms} later. Kafka instantiates this class; the timer comes
 * in through the producer configuration ({@link #CONFIG}).
 */
public final class OutputLatencyInterceptor implements ProducerInterceptor<byte[], byte[]> {
  /** Producer configuration key of the {@link Target} (not a Kafka setting). */
  static final String CONFIG = "dedup.output.latency";

  /** The output topic and the timer its latencies go to. */
  record Target(String topic, Timer timer) {}

  private Target target;

  @Override
  public void configure(Map<String, ?> configs) {
    target = configs.get(CONFIG) instanceof Target t ? t : null;
  }

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    if (exception == null
        && target != null
        && metadata.hasTimestamp()
        && target.topic().equals(metadata.topic())) {
      long latency = System.currentTimeMillis() - metadata.timestamp();
      // A timestamp from a clock ahead of ours counts as no latency rather than being lost.
      target.timer().record(Math.max(0, latency), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {}
}
