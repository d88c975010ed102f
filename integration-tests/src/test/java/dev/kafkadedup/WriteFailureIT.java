package dev.kafkadedup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kafkadedup.chaos.CommittedTopics;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.BrokerExtension;
import dev.kafkadedup.streams.FailFastProductionExceptionHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * A write to the output or dead-letter topic that fails for good stops the service, with one log
 * line naming the topic, and no input offset committed past the record; once the cause is fixed a
 * restart writes the record exactly once. The input is {@code a, b, <the record that fails>, c} on
 * one partition, keyed by ID; a null key makes a dead letter.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WriteFailureIT {
  @RegisterExtension static final BrokerExtension broker = new BrokerExtension();

  private static final int LIMIT = 4_000;
  private static final byte[] BIG = new byte[6_000];
  private static final long FAILING_OFFSET = 2;

  @TempDir Path stateDir;
  private final ListAppender<ILoggingEvent> errors = new ListAppender<>();
  private Admin admin;
  private String prefix;

  /** What breaks, the record that meets it, and how an operator fixes it. */
  enum Fault {
    /** The record is larger than the output topic's {@code max.message.bytes}. */
    OUTPUT_TOPIC_TOO_SMALL("out", "big".getBytes(UTF_8), BIG) {
      @Override
      void breakIt(WriteFailureIT test) throws Exception {
        test.setMaxMessageBytes(test.topic("out"), LIMIT);
      }

      @Override
      void fix(WriteFailureIT test) throws Exception {
        test.setMaxMessageBytes(test.topic("out"), 1_000_000);
      }
    },
    /** The dead letter (the record plus the service's headers) exceeds its topic's limit. */
    DEAD_LETTER_TOPIC_TOO_SMALL("dlq", null, BIG) {
      @Override
      void breakIt(WriteFailureIT test) throws Exception {
        test.setMaxMessageBytes(test.topic("dlq"), LIMIT);
      }

      @Override
      void fix(WriteFailureIT test) throws Exception {
        test.setMaxMessageBytes(test.topic("dlq"), 1_000_000);
      }
    },
    /** The record is larger than the producer's {@code max.request.size}. */
    REQUEST_TOO_SMALL("out", "big".getBytes(UTF_8), BIG) {
      @Override
      Map<String, String> brokenSettings() {
        return Map.of("kafka.max.request.size", Integer.toString(LIMIT));
      }
    },
    /** The output topic is deleted while the service runs. */
    OUTPUT_TOPIC_DELETED("out", "d".getBytes(UTF_8), "d".getBytes(UTF_8)) {
      @Override
      void breakWhileRunning(WriteFailureIT test) throws Exception {
        test.deleteTopic(test.topic("out"));
      }

      @Override
      void fix(WriteFailureIT test) {
        broker.createTopics(1, test.topic("out"));
      }
    },
    /** The dead-letter topic is deleted while the service runs. */
    DEAD_LETTER_TOPIC_DELETED("dlq", null, "not keyed".getBytes(UTF_8)) {
      @Override
      void breakWhileRunning(WriteFailureIT test) throws Exception {
        test.deleteTopic(test.topic("dlq"));
      }

      @Override
      void fix(WriteFailureIT test) {
        broker.createTopics(1, test.topic("dlq"));
      }
    };

    final String sink;
    final byte[] key;
    final byte[] value;

    Fault(String sink, byte[] key, byte[] value) {
      this.sink = sink;
      this.key = key;
      this.value = value;
    }

    void breakIt(WriteFailureIT test) throws Exception {}

    void breakWhileRunning(WriteFailureIT test) throws Exception {}

    Map<String, String> brokenSettings() {
      return Map.of();
    }

    void fix(WriteFailureIT test) throws Exception {}
  }

  @BeforeEach
  void captureErrors() {
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    errors.setContext(rootLogger().getLoggerContext());
    errors.start();
    rootLogger().addAppender(errors);
  }

  @AfterEach
  void release() {
    rootLogger().detachAppender(errors);
    admin.close();
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void shouldStopWithoutCommittingPastAFailedWriteAndWriteItOnceAfterTheFix(Fault fault)
      throws Exception {
    prefix = "write-failure-" + fault.name().toLowerCase().replace('_', '-');
    broker.createTopics(1, topic("in"), topic("out"), topic("dlq"));
    fault.breakIt(this);
    produce(key("a"), "a".getBytes(UTF_8));
    produce(key("b"), "b".getBytes(UTF_8));

    try (DedupService service = new DedupService(config(fault.brokenSettings()))) {
      service.start();
      // the deletions need a running service: the start checks that the topics exist
      await().atMost(Duration.ofMinutes(1)).until(() -> keys(topic("out")).size() == 2);
      fault.breakWhileRunning(this);
      produce(fault.key, fault.value);
      produce(key("c"), "c".getBytes(UTF_8));

      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> service.streams().state() == KafkaStreams.State.ERROR);
    }
    assertThat(handlerErrors())
        .as("the handler's line names the topic and the remedy")
        .anyMatch(
            line ->
                line.contains("'" + topic(fault.sink) + "'")
                    && line.contains("Stopping without committing past it")
                    && line.endsWith("then restart."));
    assertThat(committedInputOffset()).isLessThanOrEqualTo(FAILING_OFFSET);

    fault.fix(this);
    try (DedupService service = new DedupService(config(Map.of()))) {
      service.start();
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> committedInputOffset() == FAILING_OFFSET + 2);
      List<String> sunk = keys(topic(fault.sink));
      if (fault.sink.equals("dlq")) {
        assertThat(sunk).containsExactly("(null)");
        assertThat(keys(topic("out"))).containsExactly("a", "b", "c");
      } else if (fault == Fault.OUTPUT_TOPIC_DELETED) {
        assertThat(sunk).containsExactly("d", "c");
      } else {
        assertThat(sunk).containsExactly("a", "b", "big", "c");
      }
    }
  }

  private static byte[] key(String id) {
    return id.getBytes(UTF_8);
  }

  private DedupConfig config(Map<String, String> settings) {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("kafka.application.id", prefix);
    props.put("kafka.state.dir", stateDir.toString());
    props.put("input.topics", topic("in"));
    props.put("output.topic", topic("out"));
    props.put("dead.letter.topic", topic("dlq"));
    props.put("shutdown.leave.group", "true");
    // a deleted topic ends a write after these; production keeps Kafka's longer defaults
    props.put("kafka.max.block.ms", "5000");
    props.put("kafka.request.timeout.ms", "3000");
    props.put("kafka.delivery.timeout.ms", "8000");
    props.put("kafka.task.timeout.ms", "5000");
    // the instance that stopped in error never left the group: let the restart's rebalance drop it
    props.put("kafka.session.timeout.ms", "6000");
    props.put("kafka.heartbeat.interval.ms", "1000");
    props.putAll(settings);
    return DedupConfig.from(props);
  }

  private String topic(String name) {
    return prefix + "-" + name;
  }

  private void produce(byte[] key, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic("in"), key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** The keys in {@code topic} as a read_committed consumer sees them, in order. */
  private static List<String> keys(String topic) {
    return CommittedTopics.readCommitted(broker.bootstrapServers(), topic).stream()
        .map(ConsumerRecord::key)
        .map(key -> key == null ? "(null)" : new String(key, UTF_8))
        .toList();
  }

  private long committedInputOffset() throws Exception {
    OffsetAndMetadata committed =
        admin
            .listConsumerGroupOffsets(prefix)
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS)
            .get(new TopicPartition(topic("in"), 0));
    return committed == null ? 0 : committed.offset();
  }

  private void setMaxMessageBytes(String topic, int bytes) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    admin
        .incrementalAlterConfigs(
            Map.of(
                resource,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry(
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(bytes)),
                        AlterConfigOp.OpType.SET))))
        .all()
        .get(30, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                admin
                    .describeConfigs(List.of(resource))
                    .all()
                    .get()
                    .get(resource)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                    .value()
                    .equals(Integer.toString(bytes)));
  }

  private void deleteTopic(String topic) throws Exception {
    admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !admin.listTopics().names().get().contains(topic));
  }

  /** The ERROR lines of the production exception handler. */
  private List<String> handlerErrors() {
    return errors.list.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .filter(e -> e.getLoggerName().equals(FailFastProductionExceptionHandler.class.getName()))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static Logger rootLogger() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
