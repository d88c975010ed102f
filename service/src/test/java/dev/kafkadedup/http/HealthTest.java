package dev.kafkadedup.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HealthTest {

  @Test
  void shouldBeReadyOnlyWhenRunning() {
    for (State state : State.values()) {
      assertThat(Health.readiness(state, 0, 0).status())
          .as("%s", state)
          .isEqualTo(state == State.RUNNING ? 200 : 503);
    }
  }

  @Test
  void shouldSayWhyNotReadyWhileRestoring() {
    Health.Verdict verdict = Health.readiness(State.REBALANCING, 3, 12_345);

    assertThat(verdict.status()).isEqualTo(503);
    assertThat(verdict.body()).contains("REBALANCING", "restoring 3", "12345 record(s) to go");
  }

  @Test
  void shouldSayWhyNotReadyWhileWaitingForAssignment() {
    assertThat(Health.readiness(State.REBALANCING, 0, 0).body())
        .contains("waiting for partition assignment");
  }

  @ParameterizedTest
  @EnumSource(names = {"ERROR", "PENDING_ERROR"})
  void shouldNotBeLiveInError(State state) {
    Health.Verdict verdict = Health.liveness(state, 1);

    assertThat(verdict.status()).isEqualTo(503);
    assertThat(verdict.body()).contains(state.name());
  }

  @ParameterizedTest
  @EnumSource(names = {"RUNNING", "REBALANCING"})
  void shouldNotBeLiveWhenEveryStreamThreadDied(State state) {
    assertThat(Health.liveness(state, 0).status()).isEqualTo(503);
    assertThat(Health.liveness(state, 0).body()).contains("no stream thread");
    assertThat(Health.liveness(state, 1).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @EnumSource(names = {"CREATED", "PENDING_SHUTDOWN", "NOT_RUNNING"})
  void shouldStayLiveWhileStartingOrShuttingDown(State state) {
    // no stream threads yet or any more, but a restart would not help
    assertThat(Health.liveness(state, 0).status()).isEqualTo(200);
  }
}
