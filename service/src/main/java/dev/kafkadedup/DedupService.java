package dev.kafkadedup;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.http.HttpEndpoints;
import dev.kafkadedup.kafka.KafkaClients;
import dev.kafkadedup.metrics.DedupMetrics;
import dev.kafkadedup.state.StateFormatGuard;
import dev.kafkadedup.topology.DedupTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance of the dedup service: the topology built from the configuration, run by
 * Kafka Streams, closed within the configured timeout. An unexpected error in a stream thread shuts
 * the client down (the orchestrator restarts the process); exactly-once makes that safe. Its
 * metrics live as long as it does; with HTTP on, {@code /metrics}, {@code /health/*} and {@code
 * /ids/{id}} are served from {@link #start()} to {@link #close()}.
 */
public final class DedupService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DedupService.class);

  private final DedupConfig config;
  private final KafkaStreams streams;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final DedupMetrics metrics;
  private final boolean serveHttp;
  private HttpEndpoints http;

  /** An instance without HTTP server (demo, tests); metrics are still recorded. */
  public DedupService(DedupConfig config) {
    this(config, false);
  }

  /** An instance that serves HTTP on {@code http.host:http.port} when {@code serveHttp}. */
  public DedupService(DedupConfig config, boolean serveHttp) {
    this.config = config;
    this.serveHttp = serveHttp;
    this.metrics = new DedupMetrics(config);
    this.streams =
        new KafkaStreams(
            DedupTopology.build(config), metrics.instrument(config.streamsProperties()));
    metrics.bind(streams);
    streams.setGlobalStateRestoreListener(metrics.restoreListener());
    streams.setUncaughtExceptionHandler(
        e -> {
          Throwable denied = ClusterAccess.accessDenied(e);
          if (denied != null) {
            LOG.error("{}; shutting down this instance", ClusterAccess.deniedMessage(denied));
          } else {
            LOG.error("Stream thread failed; shutting down this instance", e);
          }
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.setStateListener(
        (now, before) -> {
          LOG.info("State {} -> {}", before, now);
          metrics.onStateChange(now, before);
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
          }
        });
  }

  /**
   * Checks that the cluster accepts this service's credentials, that the topics it writes exist and
   * that the state was written in the configured format (recording it on a first start), then
   * starts processing.
   *
   * @throws ConfigException when the cluster is unreachable, rejects the credentials or hides a
   *     topic; naming the key of a topic that does not exist, or of a setting that differs from the
   *     one the state was written with
   */
  public void start() {
    if (serveHttp) {
      http = HttpEndpoints.start(config, streams, metrics);
    }
    ClusterAccess.check(config);
    checkOutputTopicsExist();
    StateFormatGuard.check(config);
    streams.start();
  }

  public KafkaStreams streams() {
    return streams;
  }

  public DedupMetrics metrics() {
    return metrics;
  }

  /** The HTTP server's port, once started with HTTP on. */
  public int httpPort() {
    if (http == null) {
      throw new IllegalStateException("HTTP is not served");
    }
    return http.port();
  }

  /** Blocks until the instance stops; returns true when it stopped in error. */
  public boolean awaitStop() throws InterruptedException {
    stopped.await();
    return streams.state() == KafkaStreams.State.ERROR;
  }

  /** Blocks until RUNNING, or throws after {@code timeout}. */
  public void awaitRunning(Duration timeout) throws InterruptedException, TimeoutException {
    awaitRunning(streams, timeout);
  }

  /**
   * Blocks until {@code streams} is RUNNING; throws after {@code timeout}, or as soon as it can no
   * longer get there.
   */
  public static void awaitRunning(KafkaStreams streams, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
        throw new TimeoutException("not RUNNING after " + timeout + ": " + streams.state());
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** Commits what is processed and closes within {@code shutdown.timeout}. */
  @Override
  public void close() {
    CloseOptions options =
        CloseOptions.timeout(config.shutdownTimeout())
            .withGroupMembershipOperation(
                config.leaveGroupOnShutdown()
                    ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                    : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
    if (!streams.close(options)) {
      LOG.warn("Kafka Streams did not close within {}", config.shutdownTimeout());
    }
    if (http != null) {
      http.close();
    }
    metrics.close();
    stopped.countDown();
  }

  private void checkOutputTopicsExist() {
    Map<String, String> keyByTopic = new LinkedHashMap<>();
    keyByTopic.put(config.outputTopic(), DedupConfig.OUTPUT_TOPIC);
    keyByTopic.put(config.deadLetterTopic(), DedupConfig.DEAD_LETTER_TOPIC);
    config.duplicatesTopic().ifPresent(t -> keyByTopic.put(t, DedupConfig.DUPLICATES_TOPIC));
    try (Admin admin = Admin.create(KafkaClients.admin(config))) {
      Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      List<String> missing = new ArrayList<>();
      keyByTopic.forEach(
          (topic, key) -> {
            if (!existing.contains(topic)) {
              missing.add(key + " = '" + topic + "'");
            }
          });
      if (!missing.isEmpty()) {
        throw new ConfigException(
            "topic does not exist on the cluster: "
                + String.join(", ", missing)
                + " (create it first; this service does not create topics)");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new ConfigException(
          "cannot reach the Kafka cluster at "
              + config.streamsProperties().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
              + " to check the output topics: "
              + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while checking the output topics");
    }
  }
}
