package dev.kafkadedup.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kafkadedup.DedupService;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard against a real Prometheus (Debian's package) scraping the service on the
 * embedded broker. Every PromQL expression of every panel, and every variable's metric, must return
 * a number through Prometheus' HTTP API: evaluated at the time of the first scrape of a freshly
 * started service (so no panel is empty until some event, such as the first GC, happens), and,
 * without its zero fallback, once traffic with duplicates and malformed records flows (so every
 * panel also shows real data).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PrometheusDashboardIT {
  private static final String APPLICATION = "prom-dashboard";
  private static final String INSTANCE = "instance-0";
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path tempDir;

  @Test
  void shouldReturnDataForEveryDashboardQuery() throws Exception {
    Path prometheus = PrometheusBinaries.require("prometheus");
    JsonNode dashboard = GrafanaDashboardTest.dashboard();
    List<String> queries = new ArrayList<>();
    for (String[] panelAndExpr : GrafanaDashboardTest.expressions(dashboard)) {
      queries.add(substitute(panelAndExpr[1]));
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText());
      if (m.matches()) {
        queries.add(substitute(m.group(1)));
      }
    }

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startInProcess()) {
      broker.createTopics(3, "in", "out", "dup", "dlq");
      try (DedupService service = new DedupService(config(broker), true)) {
        service.start();
        int port = freePort();
        Process server = startPrometheus(prometheus, service.httpPort(), port);
        try {
          String firstScrape = firstScrapeTime(port);
          List<String> emptyAtStart = new ArrayList<>();
          for (String query : queries) {
            if (!hasData(port, query, firstScrape)) {
              emptyAtStart.add(query);
            }
          }
          assertThat(emptyAtStart).as("queries without data at the first scrape").isEmpty();

          try (Traffic traffic = new Traffic(broker.bootstrapServers(), "in")) {
            await()
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(
                    () -> {
                      List<String> empty = new ArrayList<>();
                      for (String query : queries) {
                        String real = GrafanaDashboardTest.withoutZeroFallback(query);
                        if (!hasData(port, real, null)) {
                          empty.add(real);
                        }
                      }
                      assertThat(empty).as("queries without data").isEmpty();
                    });
            System.out.printf(
                "%d dashboard queries returned data from the first scrape and after %,d records%n",
                queries.size(), traffic.sent());
          }
        } finally {
          server.destroy();
          if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor();
          }
        }
      }
    }
  }

  /** Starts Prometheus on loopback {@code port}, scraping the service every second. */
  private Process startPrometheus(Path binary, int servicePort, int port) throws Exception {
    Path config = tempDir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: kafka-dedup
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
            .formatted(servicePort));
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + tempDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(tempDir.resolve("prometheus.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> process.isAlive() && get(port, "/-/ready").statusCode() == 200);
    return process;
  }

  /**
   * The time (Prometheus' seconds) of the service's first scrape, once Prometheus has stored it;
   * every series of one scrape is stored at once.
   */
  private String firstScrapeTime(int port) {
    String uptime = "process_uptime_seconds{application=\"%s\"}[1h]".formatted(APPLICATION);
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              JsonNode body =
                  json.readTree(
                      get(
                              port,
                              "/api/v1/query?query="
                                  + URLEncoder.encode(uptime, StandardCharsets.UTF_8))
                          .body());
              return body.path("data")
                  .path("result")
                  .path(0)
                  .path("values")
                  .path(0)
                  .path(0)
                  .asText();
            },
            time -> !time.isEmpty());
  }

  /**
   * True when the instant query, at {@code time} (null: now), succeeds with at least one sample
   * that is a number.
   */
  private boolean hasData(int port, String query, String time) throws Exception {
    HttpResponse<String> response =
        get(
            port,
            "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + (time == null ? "" : "&time=" + time));
    JsonNode body = json.readTree(response.body());
    assertThat(body.path("status").asText())
        .as(query + ": " + response.body())
        .isEqualTo("success");
    for (JsonNode sample : body.path("data").path("result")) {
      String value = sample.path("value").path(1).asText();
      if (!value.equals("NaN")) {
        return true;
      }
    }
    return false;
  }

  private HttpResponse<String> get(int port, String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Grafana's variables as the dashboard's user would set them for this instance. */
  private static String substitute(String expr) {
    return expr.replace("$application", APPLICATION)
        .replace("$instance", INSTANCE)
        .replace("$__rate_interval", "20s");
  }

  private DedupConfig config(EmbeddedKafkaBroker broker) throws IOException {
    return DedupConfig.from(
        Map.ofEntries(
            Map.entry("kafka.bootstrap.servers", broker.bootstrapServers()),
            Map.entry("kafka.application.id", APPLICATION),
            Map.entry("kafka.state.dir", tempDir.resolve("state").toString()),
            Map.entry("input.topics", "in"),
            Map.entry("output.topic", "out"),
            Map.entry("duplicates.topic", "dup"),
            Map.entry("dead.letter.topic", "dlq"),
            Map.entry("id.source", "json"),
            Map.entry("id.json.pointers", "/id"),
            Map.entry("instance.id", INSTANCE),
            Map.entry("http.host", "127.0.0.1"),
            Map.entry("http.port", Integer.toString(freePort())),
            Map.entry("shutdown.leave.group", "true")));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * A steady trickle of JSON events (a third repeats, a few without an ID) until closed, so that
   * every rate in the dashboard is non-zero when it is queried.
   */
  private static final class Traffic implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long sent;

    Traffic(String bootstrapServers, String topic) {
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      thread =
          new Thread(
              () -> {
                Random random = new Random(42);
                try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                  while (running.get()) {
                    for (int i = 0; i < 50; i++) {
                      long n = sent++;
                      String value =
                          random.nextInt(50) == 0
                              ? "{\"no-id\":" + n + "}"
                              : "{\"id\":\"e" + (random.nextInt(3) == 0 ? n / 2 : n) + "\"}";
                      producer.send(new ProducerRecord<>(topic, "k" + n, value));
                    }
                    producer.flush();
                    Thread.sleep(100); // pacing, ~500 records/s; not waiting for Kafka
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "traffic");
      thread.start();
    }

    long sent() {
      return sent;
    }

    @Override
    public void close() {
      running.set(false);
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
