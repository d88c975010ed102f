package dev.kafkadedup.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kafkadedup.chaos.CommittedTopics;
import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.embedded.TestPki;
import dev.kafkadedup.load.AckedProducer;
import dev.kafkadedup.process.ChildLogback;
import dev.kafkadedup.process.ServiceProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged service as an OS process against a broker with SASL_SSL (SCRAM-SHA-512), mutual TLS
 * and the {@code StandardAuthorizer}, its principal granted the ACLs of README's table and nothing
 * else. Certificates and passwords are made per run; none is checked in.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecurityIT {
  private static final String SCRAM_USER = "kafka-dedup";
  private static final String SASL_PASSWORD = TestPki.randomSecret();
  private static final String IDS_TOKEN = TestPki.randomSecret();
  private static final int UNIQUE = 200;
  private static final int REPEATS = 100;
  private static final int NO_ID = 5;

  /**
   * The clear lines a denial ends in: at the start check (exit 2), elsewhere (1), or where the
   * state format topic is created (1).
   */
  private static final Pattern DENIED =
      Pattern.compile(
          "config error: not authorized|Kafka denied access: |error: cannot create topic .*"
              + " Authorization failed");

  private static final String PURGE_DENIED =
      "-by-id-repartition-0 failed due to an error TOPIC_AUTHORIZATION_FAILED";

  @TempDir static Path pkiDir;
  private static TestPki pki;
  private static EmbeddedKafkaBroker broker;
  private static Admin admin;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private ServiceProcess service;
  private Path log;

  @BeforeAll
  static void startBroker() throws Exception {
    pki = TestPki.create(pkiDir);
    broker = EmbeddedKafkaBroker.startInProcess(pki.brokerSecurity());
    broker.addScramUser(SCRAM_USER, SASL_PASSWORD);
    // the anonymous PLAINTEXT listener is the super user: set-up and read-back go through it
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stopService() {
    if (service != null) {
      service.destroy();
    }
  }

  @Test
  void shouldDedupOverSaslSslWithScramAndShowNoSecretAnywhere(TestInfo test) throws Exception {
    String app = appId(test);
    Map<String, String> config = scramConfig(app, SASL_PASSWORD);
    // a keystore too (not asked for on this listener), so its password is in play as well
    config.put("kafka.ssl.keystore.location", pki.clientKeystore().toString());
    config.put("kafka.ssl.keystore.password", pki.password());
    config.put("kafka.ssl.keystore.type", "PKCS12");
    config.put("http.ids.token", IDS_TOKEN);
    grantDocumentedAcls("User:" + SCRAM_USER, config, -1);
    produceInput(config);

    start(config, VERBOSE_LOGBACK);
    service.awaitRunning(Duration.ofSeconds(90));
    assertDeduplicated(config);
    assertRepartitionTopicPurged(app);

    String base = "http://127.0.0.1:" + config.get("http.port");
    assertThat(get(base + "/ids/id-7", "Bearer " + IDS_TOKEN).statusCode()).isEqualTo(200);
    assertThat(get(base + "/ids/id-7", null).statusCode()).isEqualTo(401);
    assertThat(get(base + "/ids/id-7", "Bearer " + IDS_TOKEN + "x").statusCode()).isEqualTo(401);
    assertThat(get(base + "/ids/id-7", "Basic " + IDS_TOKEN).statusCode()).isEqualTo(401);
    HttpResponse<String> proxied =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/ids/id-7"))
                .header("X-Kafka-Dedup-Forwarded", "true")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(proxied.statusCode()).as("the proxy marker is no credential").isEqualTo(401);
    List<HttpResponse<String>> responses = new ArrayList<>(List.of(proxied));
    for (String path : List.of("/metrics", "/health/live", "/health/ready")) {
      HttpResponse<String> open = get(base + path, null);
      assertThat(open.statusCode()).as(path).isEqualTo(200);
      responses.add(open);
    }
    responses.add(get(base + "/nothing", null));
    responses.add(get(base + "/ids/", "Bearer " + IDS_TOKEN));
    responses.add(
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString(SASL_PASSWORD))
                .build(),
            HttpResponse.BodyHandlers.ofString()));
    service.terminate();

    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output)
        .as("the Kafka clients' config dumps are logged, with passwords masked")
        .contains("ProducerConfig values", "sasl.jaas.config = [hidden]");
    for (String secret : List.of(SASL_PASSWORD, pki.password(), IDS_TOKEN)) {
      assertThat(output).as("service log").doesNotContain(secret);
      for (HttpResponse<String> response : responses) {
        assertThat(response.body()).as(response.uri().toString()).doesNotContain(secret);
        assertThat(response.headers().map().toString()).doesNotContain(secret);
      }
    }
  }

  @Test
  void shouldShowNoSecretInConfigErrors(TestInfo test) throws Exception {
    Map<String, String> config = scramConfig(appId(test), SASL_PASSWORD);
    config.put("kafka.ssl.keystore.password", pki.password());
    config.put("window.size", "P7X"); // invalid, next to the passwords
    config.put("sasl.jaas.config", config.get("kafka.sasl.jaas.config")); // prefix forgotten

    for (String dropped : List.of("sasl.jaas.config", "window.size")) {
      Map<String, String> bad = new LinkedHashMap<>(config);
      bad.remove(dropped);
      start(bad, QUIET_LOGBACK);
      assertThat(service.exitCodeWithin(Duration.ofSeconds(60))).hasValue(2);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(output).contains("config error:");
      assertThat(output).doesNotContain(SASL_PASSWORD, pki.password());
    }
  }

  @Test
  void shouldDedupOverMutualTlsWithIdsSwitchedOff(TestInfo test) throws Exception {
    String app = appId(test);
    Map<String, String> config = mtlsConfig(app, pki.clientKeystore());
    config.put("http.ids.enabled", "false");
    grantDocumentedAcls("User:" + TestPki.CLIENT_CN, config, -1);
    produceInput(config);

    start(config, QUIET_LOGBACK);
    service.awaitRunning(Duration.ofSeconds(90));
    assertDeduplicated(config);
    String base = "http://127.0.0.1:" + config.get("http.port");
    assertThat(get(base + "/ids/id-7", null).statusCode()).isEqualTo(404);
    assertThat(get(base + "/health/ready", null).statusCode()).isEqualTo(200);
    service.terminate();
  }

  @Test
  void shouldExitWithCode2AndOneLineOnWrongScramPassword(TestInfo test) throws Exception {
    Map<String, String> config = scramConfig(appId(test), SASL_PASSWORD + "-wrong");
    grantDocumentedAcls("User:" + SCRAM_USER, config, -1);

    assertRejectedAtStart(config, "SaslAuthenticationException");
  }

  @Test
  void shouldExitWithCode2AndOneLineOnUntrustedClientCertificate(TestInfo test) throws Exception {
    Map<String, String> config = mtlsConfig(appId(test), pki.untrustedClientKeystore());
    grantDocumentedAcls("User:" + TestPki.CLIENT_CN, config, -1);

    assertRejectedAtStart(config, "SslAuthenticationException");
  }

  /** Every ACL of README's table, by index, with the operation it grants. */
  static Stream<String> documentedAcls() throws IOException {
    List<DocumentedAcls.Acl> acls = DocumentedAcls.read();
    return IntStream.range(0, acls.size()).mapToObj(i -> i + ": " + acls.get(i));
  }

  @ParameterizedTest(name = "without {0}")
  @MethodSource("documentedAcls")
  void shouldFailClearlyWithoutAnyOneDocumentedAcl(String acl) throws Exception {
    int index = Integer.parseInt(acl.substring(0, acl.indexOf(':')));
    String app = "acl-" + index;
    Map<String, String> config = scramConfig(app, SASL_PASSWORD);
    grantDocumentedAcls("User:" + SCRAM_USER, config, index);
    produceInput(config);

    start(config, QUIET_LOGBACK);
    if (DocumentedAcls.read().get(index).operation() == AclOperation.DELETE) {
      // Kafka Streams only logs a failed purge of the repartition topic, and carries on
      assertThat(service.awaitLog(PURGE_DENIED, Duration.ofSeconds(60))).isTrue();
      assertThat(service.isAlive()).isTrue();
      return;
    }
    OptionalInt exit = service.exitCodeWithin(Duration.ofSeconds(90));

    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(exit).as("exited without %s; log:%n%s", acl, output).isPresent();
    assertThat(exit.getAsInt()).isIn(1, 2);
    assertThat(DENIED.matcher(output).find()).as("a clear line in:%n%s", output).isTrue();
  }

  private void assertRejectedAtStart(Map<String, String> config, String reason) throws Exception {
    long started = System.nanoTime();
    start(config, QUIET_LOGBACK);
    OptionalInt exit = service.exitCodeWithin(Duration.ofSeconds(60));
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(exit).as("exit code; log:%n%s", output).hasValue(2);
    assertThat(seconds).as("seconds to exit").isLessThan(45);
    List<String> errors = output.lines().filter(l -> l.startsWith("config error:")).toList();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).contains("rejected this service's credentials", reason);
    assertThat(output).doesNotContain(SASL_PASSWORD, pki.password());
  }

  /**
   * Creates the ACLs README documents for {@code principal}, with the placeholders filled from
   * {@code config}, all but the one at {@code skip} (-1: all). Waits until the broker enforces
   * them.
   */
  private static void grantDocumentedAcls(String principal, Map<String, String> config, int skip)
      throws Exception {
    List<DocumentedAcls.Acl> acls = DocumentedAcls.read();
    List<AclBinding> bindings = new ArrayList<>();
    for (int i = 0; i < acls.size(); i++) {
      if (i != skip) {
        bindings.add(acls.get(i).binding(principal, config));
      }
    }
    admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                admin
                    .describeAcls(
                        new AclBindingFilter(
                            ResourcePatternFilter.ANY,
                            new AccessControlEntryFilter(
                                principal, null, AclOperation.ANY, AclPermissionType.ANY)))
                    .values()
                    .get()
                    .containsAll(bindings));
  }

  private void produceInput(Map<String, String> config) {
    List<String> topics = topics(config);
    broker.createTopics(3, topics.toArray(String[]::new));
    try (AckedProducer<String, String> producer =
        new AckedProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < UNIQUE + REPEATS; i++) {
        producer.send(
            new ProducerRecord<>(topics.get(0), "k" + i, "{\"id\":\"id-" + i % UNIQUE + "\"}"));
      }
      for (int i = 0; i < NO_ID; i++) {
        producer.send(new ProducerRecord<>(topics.get(0), "k", "{}"));
      }
    }
  }

  private static void assertDeduplicated(Map<String, String> config) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(count(config.get("output.topic"))).isEqualTo(UNIQUE);
              assertThat(count(config.get("duplicates.topic"))).isEqualTo(REPEATS);
              assertThat(count(config.get("dead.letter.topic"))).isEqualTo(NO_ID);
            });
  }

  /** With DELETE granted, Kafka Streams deletes the consumed records of its repartition topic. */
  private static void assertRepartitionTopicPurged(String app) {
    String topic = app + "-by-id-repartition";
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
              for (int p = 0; p < 3; p++) {
                earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
              }
              return admin.listOffsets(earliest).all().get().values().stream()
                      .mapToLong(ListOffsetsResultInfo::offset)
                      .sum()
                  > 0;
            });
  }

  private static int count(String topic) {
    return CommittedTopics.readCommitted(broker.bootstrapServers(), topic).size();
  }

  private static List<String> topics(Map<String, String> config) {
    return List.of(
        config.get("input.topics"),
        config.get("output.topic"),
        config.get("duplicates.topic"),
        config.get("dead.letter.topic"));
  }

  private Map<String, String> scramConfig(String app, String password) throws IOException {
    Map<String, String> config = baseConfig(app, broker.saslSslBootstrapServers());
    config.put("kafka.security.protocol", "SASL_SSL");
    config.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
    config.put(
        "kafka.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + SCRAM_USER
            + "\" password=\""
            + password
            + "\";");
    return config;
  }

  private Map<String, String> mtlsConfig(String app, Path keystore) throws IOException {
    Map<String, String> config = baseConfig(app, broker.sslBootstrapServers());
    config.put("kafka.security.protocol", "SSL");
    config.put("kafka.ssl.keystore.location", keystore.toString());
    config.put("kafka.ssl.keystore.password", pki.password());
    config.put("kafka.ssl.keystore.type", "PKCS12");
    return config;
  }

  private Map<String, String> baseConfig(String app, String bootstrapServers) throws IOException {
    Map<String, String> config = new LinkedHashMap<>();
    // not "<app>-in": the internal topics' prefixed ACLs would cover them
    config.put("input.topics", app + ".in");
    config.put("output.topic", app + ".out");
    config.put("duplicates.topic", app + ".dup");
    config.put("dead.letter.topic", app + ".dlq");
    config.put("id.source", "json");
    config.put("id.json.pointers", "/id");
    config.put("http.host", "127.0.0.1");
    config.put("http.port", Integer.toString(freePort()));
    config.put("shutdown.leave.group", "true");
    config.put("kafka.repartition.purge.interval.ms", "1000");
    config.put("kafka.bootstrap.servers", bootstrapServers);
    config.put("kafka.application.id", app);
    config.put("kafka.state.dir", dir.resolve("state").toString());
    config.put("kafka.ssl.truststore.location", pki.truststore().toString());
    config.put("kafka.ssl.truststore.password", pki.password());
    config.put("kafka.ssl.truststore.type", "PKCS12");
    return config;
  }

  private void start(Map<String, String> config, String logback) throws IOException {
    if (service != null) {
      service.destroy();
    }
    int run = dir.toFile().list().length;
    Path configFile = dir.resolve("service-" + run + ".properties");
    StringBuilder properties = new StringBuilder();
    // written as key=value lines: java.util.Properties would escape ':' and '=' in values
    config.forEach((k, v) -> properties.append(k).append('=').append(v).append('\n'));
    Files.writeString(configFile, properties);
    Path logbackFile = Files.writeString(dir.resolve("logback-" + run + ".xml"), logback);
    log = dir.resolve("service-" + run + ".log");
    service =
        new ServiceProcess("service", ServiceProcess.packagedJar(), configFile, logbackFile, log);
    service.start();
  }

  private HttpResponse<String> get(String url, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String appId(TestInfo test) {
    String name = test.getTestMethod().orElseThrow().getName();
    Matcher camel = Pattern.compile("[A-Z]").matcher(name.substring("should".length()));
    return camel.replaceAll(m -> "-" + m.group().toLowerCase()).substring(1);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Everything at INFO, the Kafka clients' config dumps included. */
  private static final String VERBOSE_LOGBACK = ChildLogback.xml(Map.of());

  /** As the packaged logback.xml: Kafka at WARN, the service at INFO. */
  private static final String QUIET_LOGBACK = ChildLogback.xml(Map.of("org.apache.kafka", "WARN"));
}
