package dev.kafkadedup.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kafkadedup.DedupService;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.BrokerExtension;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.metrics.PrometheusText;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service with its HTTP server on a real broker: known input (700 unique IDs, 300 repeats, 25
 * records without an ID) in, then {@code /metrics} scraped over HTTP must count exactly that, the
 * health endpoints must say RUNNING, {@code /ids/{id}} must find produced IDs and no response may
 * contain the SASL secret from the configuration.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpEndpointsIT {
  private static final int UNIQUE = 700;
  private static final int DUPLICATES = 300;
  private static final int MALFORMED = 25;
  private static final String SECRET = "s3cr3t-never-shown";

  @RegisterExtension static final BrokerExtension broker = new BrokerExtension();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path stateDir;

  @ParameterizedTest(name = "id.source={0}")
  @ValueSource(strings = {"json", "key"})
  void shouldCountExactlyWhatWasProducedAndServeHealthAndIds(String idSource) throws Exception {
    String in = idSource + "-in";
    broker.createTopics(3, in, idSource + "-out", idSource + "-dup", idSource + "-dlq");
    produce(in, idSource.equals("key"));

    // with the ID in the value, route queries through Kafka Streams' metadata; by key, without
    int port = freePort();
    Map<String, String> props = config(idSource, port);
    if (idSource.equals("json")) {
      props.put("kafka.application.server", "127.0.0.1:" + port);
    }
    try (DedupService service = new DedupService(DedupConfig.from(props), true)) {
      service.start();
      Map<String, String> topic = Map.of("topic", in);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                List<PrometheusText.Sample> samples = scrape(service);
                assertThat(sum(samples, "kafka_dedup_records_unique_total", topic))
                    .isEqualTo(UNIQUE);
                assertThat(sum(samples, "kafka_dedup_records_duplicate_total", topic))
                    .isEqualTo(DUPLICATES);
                assertThat(sum(samples, "kafka_dedup_records_dead_letter_total", topic))
                    .isEqualTo(MALFORMED);
                assertThat(sum(samples, "kafka_dedup_end_to_end_latency_seconds_count", Map.of()))
                    .isEqualTo(UNIQUE);
                assertThat(sum(samples, "kafka_dedup_store_ids", Map.of())).isPositive();
                assertThat(sum(samples, "kafka_dedup_store_disk_bytes", Map.of())).isPositive();
                assertThat(sum(samples, "kafka_dedup_store_segments", Map.of())).isPositive();
                // Kafka's metrics appear as the binder finds them (every 10 s)
                assertThat(samples)
                    .extracting(PrometheusText.Sample::name)
                    .contains(
                        "kafka_consumer_fetch_manager_records_lag",
                        "kafka_stream_thread_commit_latency_avg",
                        "kafka_producer_txn_commit_time_ns_total",
                        "kafka_dedup_store_block_cache_bytes",
                        "jvm_memory_used_bytes",
                        "process_cpu_usage");
              });
      List<PrometheusText.Sample> samples = scrape(service);
      assertThat(sum(samples, "kafka_dedup_records_in_total", topic))
          .isEqualTo(UNIQUE + DUPLICATES + MALFORMED);
      assertThat(sum(samples, "kafka_dedup_streams_state", Map.of("state", "RUNNING")))
          .isEqualTo(1);
      assertThat(samples)
          .allSatisfy(
              s ->
                  assertThat(s.labels())
                      .containsEntry("application", "app-" + idSource)
                      .containsEntry("instance_id", "instance-1"));
      assertThat(ownMetricNames(samples))
          .as("kafka_dedup_* metrics in README's Monitoring table")
          .isEqualTo(documentedMetricNames());

      assertThat(get(service, "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(service, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("RUNNING");

      HttpResponse<String> seen = get(service, "/ids/id-42");
      assertThat(seen.statusCode()).isEqualTo(200);
      assertThat(seen.body()).contains("\"seen\":true", "\"topic\":\"" + in + "\"");
      HttpResponse<String> unseen = get(service, "/ids/never-produced");
      assertThat(unseen.statusCode()).isEqualTo(404);
      assertThat(unseen.body()).contains("\"seen\":false");
      assertThat(get(service, "/nothing-here").statusCode()).isEqualTo(404);

      for (String path : List.of("/metrics", "/health/live", "/health/ready", "/ids/id-1")) {
        assertThat(get(service, path).body()).doesNotContain(SECRET);
      }
    }
  }

  /** UNIQUE first occurrences, then DUPLICATES repeats of them, then MALFORMED without an ID. */
  private static void produce(String topic, boolean idIsKey) {
    try (AckedProducer<String, String> producer =
        new AckedProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < UNIQUE + DUPLICATES; i++) {
        String id = "id-" + (i < UNIQUE ? i : (i * 7) % UNIQUE);
        producer.send(
            new ProducerRecord<>(topic, idIsKey ? id : "k" + i, "{\"id\":\"" + id + "\"}"));
      }
      for (int i = 0; i < MALFORMED; i++) {
        producer.send(new ProducerRecord<>(topic, null, "{\"no-id\":" + i + "}"));
      }
    }
  }

  private Map<String, String> config(String idSource, int httpPort) {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("kafka.application.id", "app-" + idSource);
    props.put("kafka.state.dir", stateDir.toString());
    // ignored on a PLAINTEXT connection, but must never show up in a response
    props.put(
        "kafka.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
            + " password=\""
            + SECRET
            + "\";");
    props.put("input.topics", idSource + "-in");
    props.put("output.topic", idSource + "-out");
    props.put("duplicates.topic", idSource + "-dup");
    props.put("dead.letter.topic", idSource + "-dlq");
    props.put("id.source", idSource);
    props.put("id.json.pointers", "/id");
    props.put("instance.id", "instance-1");
    props.put("http.host", "127.0.0.1");
    props.put("http.port", Integer.toString(httpPort));
    props.put("shutdown.leave.group", "true");
    return props;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private List<PrometheusText.Sample> scrape(DedupService service) throws Exception {
    HttpResponse<String> response = get(service, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    return PrometheusText.parse(response.body());
  }

  /** This service's metric names in a scrape, a histogram's series under its own name. */
  private static Set<String> ownMetricNames(List<PrometheusText.Sample> samples) {
    return samples.stream()
        .map(PrometheusText.Sample::name)
        .filter(name -> name.startsWith("kafka_dedup_"))
        .map(name -> name.replaceFirst("_seconds_(bucket|count|sum)$", "_seconds"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> documentedMetricNames() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String table =
        readme.substring(
            readme.indexOf("<!-- metrics-table:start -->"),
            readme.indexOf("<!-- metrics-table:end -->"));
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("^\\| `(kafka_dedup_\\w+)`", Pattern.MULTILINE).matcher(table);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static double sum(
      List<PrometheusText.Sample> samples, String name, Map<String, String> labels) {
    return PrometheusText.sum(samples, name, labels);
  }

  private HttpResponse<String> get(DedupService service, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
