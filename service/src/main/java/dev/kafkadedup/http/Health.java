package dev.kafkadedup.http;

import org.apache.kafka.streams.KafkaStreams.State;

/**
 * Liveness and readiness as functions of what Kafka Streams reports, for the Kubernetes probes.
 * Live: the process can still make progress by itself (not in ERROR, and a stream thread is alive
 * while running); restarting it would not help otherwise. Ready: RUNNING, so every assigned task is
 * processing; while rebalancing or restoring the body says why not.
 */
final class Health {
  static final int OK = 200;
  static final int UNAVAILABLE = 503;

  /** A probe's answer: HTTP status and a one-line body. */
  record Verdict(int status, String body) {}

  private Health() {}

  static Verdict liveness(State state, int aliveStreamThreads) {
    return switch (state) {
      case ERROR, PENDING_ERROR ->
          new Verdict(UNAVAILABLE, "not live: Kafka Streams is in " + state + "\n");
      case RUNNING, REBALANCING ->
          aliveStreamThreads > 0
              ? new Verdict(OK, "live: " + state + "\n")
              : new Verdict(UNAVAILABLE, "not live: no stream thread is alive (" + state + ")\n");
      default -> new Verdict(OK, "live: " + state + "\n");
    };
  }

  static Verdict readiness(State state, int restoringPartitions, long remainingRecords) {
    return switch (state) {
      case RUNNING -> new Verdict(OK, "ready: RUNNING\n");
      case REBALANCING ->
          new Verdict(
              UNAVAILABLE,
              restoringPartitions > 0
                  ? "not ready: REBALANCING, restoring %d state partition(s), %d record(s) to go\n"
                      .formatted(restoringPartitions, remainingRecords)
                  : "not ready: REBALANCING, waiting for partition assignment\n");
      case CREATED -> new Verdict(UNAVAILABLE, "not ready: starting (CREATED)\n");
      default -> new Verdict(UNAVAILABLE, "not ready: Kafka Streams is " + state + "\n");
    };
  }
}
