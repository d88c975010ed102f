package dev.kafkadedup.topology;

import dev.kafkadedup.id.IdEncoding;
import dev.kafkadedup.id.IdExtractionException;
import dev.kafkadedup.id.IdExtractor;
import dev.kafkadedup.metrics.RecordCounters;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * First step when the ID is not the record key: re-keys each record by its stored ID so the
 * repartition topic sends every occurrence of an ID to the same task. The original key and the
 * input coordinates travel in the {@link Origin} header. Records without an ID are routed to the
 * dead-letter topic here, before they cost a repartition.
 */
final class IdKeyingProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  private final IdExtractor extractor;
  private final IdEncoding encoding;
  private ProcessorContext<byte[], byte[]> context;
  private RecordCounters.Cursor counters;

  IdKeyingProcessor(IdExtractor extractor, IdEncoding encoding) {
    this.extractor = extractor;
    this.encoding = encoding;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.counters = RecordCounters.from(context.appConfigs()).cursor();
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata metadata = context.recordMetadata().orElseThrow();
    RecordCounters.Topic counted = counters.of(metadata.topic());
    counted.in();
    byte[] id;
    try {
      id = encoding.encode(extractor.extract(record.key(), record.value(), record.headers()));
    } catch (IdExtractionException e) {
      counted.deadLetter();
      DedupHeaders.addDeadLetter(record.headers(), e, metadata, record.timestamp());
      context.forward(record, DedupTopology.KEYING_DEAD_LETTERS);
      return;
    }
    new Origin(metadata.topic(), metadata.partition(), metadata.offset(), record.key())
        .writeTo(record.headers());
    context.forward(record.withKey(id), DedupTopology.BY_ID);
  }
}
