package dev.kafkadedup.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FailFastProductionExceptionHandlerTest {
  private static final ErrorHandlerContext CONTEXT =
      (ErrorHandlerContext)
          Proxy.newProxyInstance(
              ErrorHandlerContext.class.getClassLoader(),
              new Class<?>[] {ErrorHandlerContext.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "topic" -> "in";
                    case "partition" -> 0;
                    case "offset" -> 7L;
                    default -> null;
                  });

  static Stream<Exception> errors() {
    // retriable ones too: the producer has spent its retries when the handler sees them
    return Stream.of(
        new RecordTooLargeException("too large"),
        new TopicAuthorizationException("denied"),
        new UnknownTopicOrPartitionException("gone"),
        new TimeoutException("not present in metadata"),
        new NotEnoughReplicasException("isr"),
        new IllegalStateException("other"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void shouldFailEveryWriteErrorAndNeverResume(Exception error) {
    var handler = new FailFastProductionExceptionHandler();
    var record = new ProducerRecord<>("out", new byte[] {1}, new byte[] {2});

    assertThat(handler.handleError(CONTEXT, record, error).result()).isEqualTo(Result.FAIL);
    assertThat(
            handler
                .handleSerializationError(
                    CONTEXT, record, error, SerializationExceptionOrigin.VALUE)
                .result())
        .isEqualTo(Result.FAIL);
  }

  @ParameterizedTest
  @MethodSource("errors")
  void shouldNameTheTopicInTheRemedy(Exception error) {
    String remedy = FailFastProductionExceptionHandler.remedy("out", error);
    if (error instanceof IllegalStateException || error instanceof NotEnoughReplicasException) {
      assertThat(remedy).isEqualTo("fix the cause above");
    } else {
      assertThat(remedy).contains("'out'");
    }
  }
}
