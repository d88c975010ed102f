package dev.kafkadedup.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.kafkadedup.config.ConfigLoader;
import dev.kafkadedup.config.DedupConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart, linted and rendered by Helm itself for the default values and every {@code
 * ci/values-*.yaml} set, and checked against the Kubernetes model and the service's own config
 * parser.
 */
@Timeout(120)
class HelmChartTest {
  private static final String STATE_VOLUME = "state";
  private static final Set<String> HEALTH_ENDPOINTS = Set.of("/health/live", "/health/ready");

  /**
   * Resident memory of RocksDB was measured at up to 2.6× its configured bound (allocator
   * fragmentation); the rest of a JVM outside the heap (metaspace, threads, code cache, Kafka
   * buffers) is kept within a fixed allowance.
   */
  private static final double ROCKSDB_RSS_FACTOR = 2.6;

  private static final long NON_HEAP_BYTES = 256L << 20;

  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)m");

  @TempDir Path tmp;

  /** null = the chart's default values. */
  static Stream<Path> valueSets() throws IOException {
    try (Stream<Path> files = Files.list(RenderedChart.CHART.resolve("ci"))) {
      List<Path> sets = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      assertThat(sets).hasSizeGreaterThanOrEqualTo(4);
      return Stream.concat(Stream.of((Path) null), sets.stream());
    }
  }

  @Test
  void shouldPassStrictLint() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldRenderOnlyKnownKubernetesFields(Path values) {
    RenderedChart chart = RenderedChart.render(values, Map.of());

    assertThat(chart.unknownFields()).isEmpty();
    assertThat(chart.statefulSet().getSpec().getServiceName())
        .isEqualTo(RenderedChart.RELEASE + "-kafka-dedup-headless");
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldGiveThePodAConfigTheServiceAccepts(Path values) throws IOException {
    RenderedChart chart = RenderedChart.render(values, Map.of());

    DedupConfig config = loadAsThePodWould(chart);

    assertThat(config.instanceId()).contains(RenderedChart.POD_NAME);
    assertThat(config.streamsProperties())
        .containsEntry(
            StreamsConfig.APPLICATION_SERVER_CONFIG,
            RenderedChart.POD_NAME + "." + RenderedChart.RELEASE + "-kafka-dedup-headless:8080");
    assertThat(config.getInt(DedupConfig.HTTP_PORT))
        .isEqualTo(chart.container().getPorts().get(0).getContainerPort());
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldKeepTheStateDirectoryOnTheStateVolume(Path values) throws IOException {
    RenderedChart chart = RenderedChart.render(values, Map.of());
    String stateDir =
        String.valueOf(
            loadAsThePodWould(chart).streamsProperties().get(StreamsConfig.STATE_DIR_CONFIG));

    VolumeMount mount = mountOf(chart.container(), stateDir);

    assertThat(mount.getName()).isEqualTo(STATE_VOLUME);
    StatefulSet sts = chart.statefulSet();
    boolean onClaim =
        sts.getSpec().getVolumeClaimTemplates().stream()
            .anyMatch(c -> c.getMetadata().getName().equals(STATE_VOLUME));
    boolean onEmptyDir =
        sts.getSpec().getTemplate().getSpec().getVolumes().stream()
            .anyMatch(v -> v.getName().equals(STATE_VOLUME) && v.getEmptyDir() != null);
    assertThat(onClaim).isNotEqualTo(onEmptyDir);
    boolean persistenceOff = values != null && values.toString().contains("persistence-off");
    assertThat(onClaim).isEqualTo(!persistenceOff);
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldProbeTheHealthEndpointsOnTheHttpPort(Path values) {
    Container container = RenderedChart.render(values, Map.of()).container();

    for (Probe probe :
        List.of(
            container.getStartupProbe(),
            container.getLivenessProbe(),
            container.getReadinessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isIn(HEALTH_ENDPOINTS);
      assertThat(probe.getHttpGet().getPort().getStrVal())
          .isEqualTo(container.getPorts().get(0).getName());
    }
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    Probe startup = container.getStartupProbe();
    assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
        .as("seconds allowed for state restoration")
        .isGreaterThanOrEqualTo(600);
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldKeepSecretsOutOfConfigMaps(Path values) {
    RenderedChart chart = RenderedChart.render(values, Map.of());
    Pattern secretish = Pattern.compile("(?i)password|jaas|secret|credential");

    for (ConfigMap configMap : chart.all(ConfigMap.class)) {
      configMap.getData().values().stream()
          .flatMap(String::lines)
          .forEach(line -> assertThat(line).doesNotContainPattern(secretish));
    }
    List<EnvVar> env = chart.container().getEnv();
    Set<String> fromSecrets =
        env.stream()
            .filter(v -> v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null)
            .map(EnvVar::getName)
            .collect(Collectors.toSet());
    for (EnvVar var : env) {
      if (secretish.matcher(var.getName()).find() && !fromSecrets.contains(var.getName())) {
        // assembled from Secret-backed variables only, e.g. a JAAS line with $(SASL_PASSWORD)
        List<String> quoted =
            QUOTED.matcher(var.getValue()).results().map(r -> r.group(1)).toList();
        assertThat(quoted).as("%s", var).isNotEmpty();
        assertThat(quoted)
            .as("%s", var)
            .allSatisfy(
                q -> assertThat(fromSecrets).contains(q.replaceAll("^\\$\\((.*)\\)$", "$1")));
      }
    }
  }

  @Test
  void shouldReadKafkaCredentialsFromSecrets() throws IOException {
    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-tls-sasl.yaml"), Map.of());

    Map<Object, Object> streams = loadAsThePodWould(chart).streamsProperties();

    assertThat(streams)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("num.stream.threads", "2")
        .containsEntry("ssl.truststore.password", "<kafka-dedup-tls/truststore-password>")
        .containsEntry("ssl.keystore.password", "<kafka-dedup-tls/keystore-password>")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"<kafka-dedup-sasl/username>\""
                + " password=\"<kafka-dedup-sasl/password>\";");
    String truststore = String.valueOf(streams.get("ssl.truststore.location"));
    Volume tls =
        chart.statefulSet().getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals(mountOf(chart.container(), truststore).getName()))
            .findFirst()
            .orElseThrow();
    assertThat(tls.getSecret().getSecretName()).isEqualTo("kafka-dedup-tls");
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldFitHeapAndRocksDbWithinTheMemoryLimit(Path values) throws IOException {
    RenderedChart chart = RenderedChart.render(values, Map.of());
    Container container = chart.container();
    long limit =
        Quantity.getAmountInBytes(container.getResources().getLimits().get("memory"))
            .longValueExact();
    Matcher xmx = XMX.matcher(envValue(container, "JDK_JAVA_OPTIONS"));
    assertThat(xmx.find()).isTrue();
    long heap = Long.parseLong(xmx.group(1)) << 20;
    long rocksdb = loadAsThePodWould(chart).getLong(DedupConfig.ROCKSDB_MEMORY_BYTES);

    assertThat(heap).isGreaterThan(limit / 4);
    assertThat(rocksdb).isGreaterThan(limit / 20);
    assertThat(
            BigDecimal.valueOf(heap + NON_HEAP_BYTES)
                .add(BigDecimal.valueOf(rocksdb * ROCKSDB_RSS_FACTOR)))
        .isLessThan(BigDecimal.valueOf(limit));
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void shouldRunRestrictedAndOutliveTheShutdownTimeout(Path values) throws IOException {
    RenderedChart chart = RenderedChart.render(values, Map.of());
    PodSpec pod = chart.statefulSet().getSpec().getTemplate().getSpec();
    Container container = chart.container();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(mountOf(container, "/tmp").getName()).isEqualTo("tmp");
    Duration shutdown = loadAsThePodWould(chart).shutdownTimeout();
    assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds())).isGreaterThan(shutdown);
  }

  @Test
  void shouldScaleWithKedaOnlyUpToThePartitionCount() {
    Path values = RenderedChart.CHART.resolve("ci/values-keda.yaml");
    RenderedChart chart = RenderedChart.render(values, Map.of());

    GenericKubernetesResource scaled = chart.one(GenericKubernetesResource.class);
    Map<String, Object> spec = scaled.get("spec");
    assertThat(spec.keySet())
        .containsOnly("scaleTargetRef", "minReplicaCount", "maxReplicaCount", "triggers");
    assertThat(scaled.<Integer>get("spec", "maxReplicaCount")).isEqualTo(12);
    assertThat(scaled.<String>get("spec", "scaleTargetRef", "name"))
        .isEqualTo(chart.statefulSet().getMetadata().getName());
    assertThat(scaled.<String>get("spec", "triggers", 0, "metadata", "consumerGroup"))
        .isEqualTo("kafka-dedup");
    assertThat(chart.statefulSet().getSpec().getReplicas())
        .as("replicas are KEDA's to set")
        .isNull();
    assertThatThrownBy(
            () -> RenderedChart.render(values, Map.of("keda.maxReplicas", 13)).statefulSet())
        .hasMessageContaining("keda.maxReplicas must not exceed keda.partitions");
  }

  @Test
  void shouldShipTheProjectsAlertRulesAndDashboard() throws IOException {
    Path rules = Path.of("grafana", "alerts", "kafka-dedup-rules.yaml");
    Path dashboard = Path.of("grafana", "dashboards", "kafka-dedup.json");
    Path files = RenderedChart.CHART.resolve("files");
    // links, not copies: one source of truth for the chart, compose and Prometheus
    assertThat(files.resolve(rules.getFileName()).toRealPath()).isEqualTo(rules.toRealPath());
    assertThat(files.resolve(dashboard.getFileName()).toRealPath())
        .isEqualTo(dashboard.toRealPath());

    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-monitoring.yaml"), Map.of());

    JsonNode source = new ObjectMapper(new YAMLFactory()).readTree(rules.toFile());
    JsonNode rendered = new ObjectMapper().valueToTree(chart.one(PrometheusRule.class).getSpec());
    assertThat(rendered.get("groups")).isEqualTo(source.get("groups"));
    ConfigMap dashboardMap =
        chart.all(ConfigMap.class).stream()
            .filter(c -> c.getData().containsKey("kafka-dedup.json"))
            .findFirst()
            .orElseThrow();
    assertThat(dashboardMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboardMap.getData().get("kafka-dedup.json").strip())
        .isEqualTo(Files.readString(dashboard).strip());
  }

  @Test
  void shouldRejectTyposAndWrongTypesInValues() {
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("replicaz", 3)))
        .hasMessageContaining("replicaz");
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("window.size", 7)))
        .hasMessageContaining("window");
    assertThatThrownBy(() -> RenderedChart.render(null, Map.of("id.source", "jsn")))
        .hasMessageContaining("id");
    assertThatThrownBy(
            () -> RenderedChart.render(null, Map.of("terminationGracePeriodSeconds", 30)))
        .hasMessageContaining("terminationGracePeriodSeconds must exceed shutdown.timeout");
  }

  /** What {@code kafka-dedup run --config /etc/kafka-dedup/config.yaml} reads in the pod. */
  private DedupConfig loadAsThePodWould(RenderedChart chart) throws IOException {
    Path file = Files.writeString(tmp.resolve("config.yaml"), chart.configFile());
    Map<String, String> env = chart.podEnvironment();
    assertThat(ConfigLoader.fromEnvironment(env).keySet())
        .as("DEDUP_* variables name only keys the service knows")
        .allSatisfy(
            key ->
                assertThat(
                        key.startsWith(DedupConfig.KAFKA_PREFIX)
                            || DedupConfig.CONFIG.names().contains(key))
                    .isTrue());
    List<String> args = chart.container().getArgs();
    assertThat(args).containsExactly("run", "--config", "/etc/kafka-dedup/config.yaml");
    assertThat(mountOf(chart.container(), args.get(2)).getName()).isEqualTo("config");
    return ConfigLoader.load(file, env);
  }

  private static VolumeMount mountOf(Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .findFirst()
        .orElseThrow(() -> new AssertionError(path + " is on no volume"));
  }

  private static String envValue(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getValue();
  }
}
