package dev.kafkadedup.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.load.OutputVerifier;
import dev.kafkadedup.load.SampleEvents;
import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image built from {@code docker/Dockerfile}, run with host networking against the embedded
 * broker: it serves the chart's probe endpoints and metrics, deduplicates, runs as non-root and
 * exits cleanly on {@code docker stop}.
 *
 * <p>Base images come from {@code KAFKA_DEDUP_BUILD_IMAGE} / {@code KAFKA_DEDUP_RUNTIME_IMAGE} when
 * set (CI builds them locally, see {@code .ci/setup.d/docker.sh}), else the Dockerfile's public
 * defaults. Skipped without a Docker engine, except where one is expected ({@code CI=true} or
 * {@code DOCKER_HOST} set): there it fails. Every wait is bounded generously for a loaded two-core
 * machine; on a failure the build output or the container's log is printed.
 */
@Timeout(900)
class DockerImageIT {
  /** A UID of OpenShift's range: the image must not need its own user 10001. */
  private static final int ARBITRARY_UID = 1000680000;

  private static final Logger LOG = LoggerFactory.getLogger(DockerImageIT.class);
  private static final String IMAGE = "kafka-dedup:it";
  private static final String INPUT = "events";
  private static final String OUTPUT = "events-unique";
  private static final String DUPLICATES = "events-duplicates";
  private static final String DEAD_LETTER = "events-dlq";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  // the image's default application.id, the prefix of its internal topics and its group
  private static final String APPLICATION_ID = "kafka-dedup";
  // records counted by the service, and its Kafka clients' retries, errors, lag and transactions
  private static final Pattern STALL_METRICS =
      Pattern.compile(
          "^kafka_(dedup_records|dedup_streams_state|producer_.*(retry|error|txn)|consumer_.*records_lag)[^ ]* ");

  @BeforeAll
  static void requireEngine() {
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return;
    }
    String dockerHost = System.getenv("DOCKER_HOST");
    String message =
        "no Docker engine answers"
            + (dockerHost == null ? "" : " at DOCKER_HOST=" + dockerHost)
            + "; .ci/setup.d/docker.sh starts one";
    if ("true".equals(System.getenv("CI")) || dockerHost != null) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  @Test
  void shouldDeduplicateAsNonRootAndStopCleanlyInTheImage() throws Exception {
    // built before the broker starts, so the two do not compete for the CPU
    ImageFromDockerfile image = buildImage();
    long seed = System.nanoTime();
    LOG.info("sample events seed {}", seed);
    SampleEvents events =
        SampleEvents.generate(INPUT, 5_000, 0.3, 0.01, 200, Duration.ofMinutes(10), seed);
    int httpPort = freePort();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startInProcess()) {
      broker.createTopics(3, INPUT, OUTPUT, DUPLICATES, DEAD_LETTER);
      events.produce(broker.bootstrapServers());

      try (GenericContainer<?> service =
          new GenericContainer<>(image)
              .withNetworkMode("host")
              // an arbitrary UID with GID 0, as OpenShift's restricted SCC runs it: the image's
              // state directory must be writable through its group
              .withCreateContainerCmdModifier(cmd -> cmd.withUser(ARBITRARY_UID + ":0"))
              .withEnv(
                  Map.of(
                      "DEDUP_KAFKA_BOOTSTRAP_SERVERS",
                      broker.bootstrapServers(),
                      "DEDUP_INPUT_TOPICS",
                      INPUT,
                      "DEDUP_OUTPUT_TOPIC",
                      OUTPUT,
                      "DEDUP_DUPLICATES_TOPIC",
                      DUPLICATES,
                      "DEDUP_DEAD_LETTER_TOPIC",
                      DEAD_LETTER,
                      "DEDUP_ID_SOURCE",
                      "json",
                      "DEDUP_ID_JSON_POINTERS",
                      SampleEvents.ID_POINTER,
                      "DEDUP_HTTP_PORT",
                      String.valueOf(httpPort),
                      "DEDUP_INSTANCE_ID",
                      "docker-it-0"))
              // Testcontainers prints the container's log when this wait fails
              .waitingFor(Wait.forLogMessage(".*kafka-dedup started.*", 1))
              .withStartupTimeout(Duration.ofMinutes(5))) {
        service.start();
        try {
          checkRunningService(service, broker, events, httpPort);
        } catch (Exception | AssertionError e) {
          LOG.error("log of the container:\n{}", service.getLogs());
          throw e;
        }
      }
    }
  }

  private static void checkRunningService(
      GenericContainer<?> service, EmbeddedKafkaBroker broker, SampleEvents events, int httpPort)
      throws Exception {
    Container pod = RenderedChart.render(null, Map.of()).container();
    for (String probe :
        List.of(
            pod.getStartupProbe().getHttpGet().getPath(),
            pod.getLivenessProbe().getHttpGet().getPath(),
            pod.getReadinessProbe().getHttpGet().getPath())) {
      await("the chart's probe " + probe + " answers 200")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> get(httpPort, probe).statusCode() == 200);
    }
    try (OutputVerifier verifier =
        new OutputVerifier(broker.bootstrapServers(), events, OUTPUT, DEAD_LETTER, DUPLICATES)) {
      boolean complete =
          verifier.await(
              Duration.ofMinutes(5),
              Duration.ofSeconds(2),
              v ->
                  LOG.debug(
                      "output {}, duplicates {}, dead letters {}",
                      v.output(),
                      v.duplicates(),
                      v.deadLettered()));
      if (!complete) {
        logStallDiagnostics(service, broker, httpPort);
      }
      assertThat(complete)
          .as(
              "all output within 5 minutes: %d of %d unique, %d of %d duplicates, %d of %d dead"
                  + " letters",
              verifier.output(),
              events.uniqueById().size(),
              verifier.duplicates(),
              events.duplicates(),
              verifier.deadLettered(),
              events.malformed())
          .isTrue();
      assertThat(verifier.problems()).isEmpty();
      assertThat(verifier.output()).isEqualTo(events.uniqueById().size());
    }
    assertThat(get(httpPort, "/metrics").body()).contains("# TYPE");
    assertThat(service.execInContainer("cat", "/proc/1/status").getStdout())
        .as("the service runs as the arbitrary non-root user with group 0")
        .containsPattern("Uid:\\s+" + ARBITRARY_UID + "\\s")
        .containsPattern("Gid:\\s+0\\s");
    // the service artifact alone: no broker, no test kit, no demo or bench
    assertThat(service.execInContainer("ls", "/opt/kafka-dedup/lib").getStdout().lines())
        .as("the image's dependencies")
        .anyMatch(jar -> jar.startsWith("kafka-streams-"))
        .noneMatch(
            jar ->
                jar.startsWith("kafka_2.13-")
                    || jar.startsWith("kafka-server-")
                    || jar.startsWith("kafka-dedup-"));
    String usage =
        service
            .execInContainer("java", "-jar", "/opt/kafka-dedup/kafka-dedup.jar", "--help")
            .getStdout();
    assertThat(usage)
        .contains("run", "audit", "savepoint", "reset")
        .doesNotContain("demo", "bench");

    DockerClient docker = DockerClientFactory.instance().client();
    // the HEALTHCHECK runs every 15 s; a few rounds on a loaded machine
    await("the container's HEALTHCHECK reports healthy")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                docker
                    .inspectContainerCmd(service.getContainerId())
                    .exec()
                    .getState()
                    .getHealth()
                    .getStatus(),
            "healthy"::equals);
    long stopStarted = System.nanoTime();
    docker.stopContainerCmd(service.getContainerId()).withTimeout(60).exec();
    InspectContainerResponse stopped = docker.inspectContainerCmd(service.getContainerId()).exec();
    LOG.info(
        "docker stop took {} ms", Duration.ofNanos(System.nanoTime() - stopStarted).toMillis());
    assertThat(stopped.getState().getExitCodeLong())
        .as("exit code after SIGTERM (137 would mean SIGKILL after the stop timeout)")
        .isZero();
    assertThat(service.getLogs()).contains("NOT_RUNNING");
  }

  /**
   * What tells a stall apart when the output stops short: where each partition's transactions stand
   * (an open one holds back every read_committed reader), the service's record counters and client
   * retry/error counters, and a thread dump of the service (the JVM writes it to the container's
   * log on SIGQUIT, which the caller prints).
   */
  private static void logStallDiagnostics(
      GenericContainer<?> service, EmbeddedKafkaBroker broker, int httpPort) {
    LOG.error(
        "output incomplete; Kafka's view:\n{}",
        ProgressReport.of(
            broker.bootstrapServers(),
            APPLICATION_ID,
            List.of(INPUT, OUTPUT, DUPLICATES, DEAD_LETTER)));
    try {
      LOG.error(
          "service counters:\n{}",
          get(httpPort, "/metrics")
              .body()
              .lines()
              .filter(line -> STALL_METRICS.matcher(line).find())
              .collect(Collectors.joining("\n")));
    } catch (IOException e) {
      LOG.error("no /metrics from the service: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      DockerClientFactory.instance()
          .client()
          .killContainerCmd(service.getContainerId())
          .withSignal("QUIT")
          .exec();
      // HotSpot ends a thread dump's threads with this line; the log is printed after it
      await("the service's thread dump")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> service.getLogs().contains("JNI global refs"));
    } catch (RuntimeException e) {
      LOG.error("no thread dump of the service: {}", e.toString()); // e.g. it is not running
    }
  }

  // withDockerfilePath is deprecated for withDockerfile(Path), which would also pre-pull the
  // FROM images: they are build arguments here, and local ones cannot be pulled
  @SuppressWarnings("deprecation")
  private static ImageFromDockerfile buildImage() {
    ImageFromDockerfile image =
        new ImageFromDockerfile(IMAGE, false)
            .withDockerfilePath("docker/Dockerfile")
            .withFileFromPath("docker/Dockerfile", Path.of("docker", "Dockerfile"))
            .withFileFromPath("mvnw", Path.of("mvnw"))
            .withFileFromPath(".mvn", Path.of(".mvn"))
            .withFileFromPath("pom.xml", Path.of("pom.xml"))
            .withFileFromPath("service/pom.xml", Path.of("service", "pom.xml"))
            .withFileFromPath("service/src/main", Path.of("service", "src", "main"))
            // no bridge network here; the build fetches Maven artifacts through the host's
            .withBuildImageCmdModifier(cmd -> cmd.withNetworkMode("host"));
    String build = System.getenv("KAFKA_DEDUP_BUILD_IMAGE");
    String runtime = System.getenv("KAFKA_DEDUP_RUNTIME_IMAGE");
    if (build != null && runtime != null) {
      image.withBuildArg("BUILD_IMAGE", build).withBuildArg("RUNTIME_IMAGE", runtime);
    }
    // Testcontainers logs the build's output at DEBUG under "tc.<image>": kept here, and printed
    // only when the build fails
    ch.qos.logback.classic.Logger buildLog =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("tc." + IMAGE);
    ListAppender<ILoggingEvent> output = new ListAppender<>();
    output.start();
    buildLog.setLevel(Level.DEBUG);
    buildLog.setAdditive(false);
    buildLog.addAppender(output);
    long started = System.nanoTime();
    String name;
    try {
      name = image.get();
    } catch (RuntimeException e) {
      LOG.error(
          "output of the failed image build:\n{}",
          output.list.stream()
              .map(event -> String.valueOf(event.getFormattedMessage()).strip())
              .filter(line -> !line.isEmpty() && !line.equals("null"))
              .collect(Collectors.joining("\n")));
      throw e;
    } finally {
      buildLog.detachAppender(output);
      buildLog.setAdditive(true);
      buildLog.setLevel(null);
    }
    LOG.info(
        "built {} in {} s, {} MB",
        name,
        Duration.ofNanos(System.nanoTime() - started).toSeconds(),
        DockerClientFactory.instance().client().inspectImageCmd(name).exec().getSize() >> 20);
    return image;
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
