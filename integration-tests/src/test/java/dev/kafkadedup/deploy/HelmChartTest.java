package dev.kafkadedup.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
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
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
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
  void shouldScrapeEachPodThroughExactlyOneService() {
    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-monitoring.yaml"), Map.of());
    ServiceMonitor monitor = chart.one(ServiceMonitor.class);
    Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();

    List<Service> scraped =
        chart.all(Service.class).stream()
            .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
            .toList();

    assertThat(chart.all(Service.class)).hasSizeGreaterThan(1);
    assertThat(scraped)
        .singleElement()
        .satisfies(s -> assertThat(s.getSpec().getClusterIP()).isNull());
    Service service = scraped.get(0);
    assertThat(chart.statefulSet().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName)
        .contains(monitor.getSpec().getEndpoints().get(0).getPort());
  }

  @Test
  void shouldAcceptTheExtraConfigExampleOfValuesYaml() throws IOException {
    Matcher example =
        Pattern.compile("@param extraConfig .*\\(e\\.g\\. (\\{.*?\\})\\)")
            .matcher(Files.readString(RenderedChart.CHART.resolve("values.yaml")));
    assertThat(example.find()).as("an example in the extraConfig doc").isTrue();
    Map<String, Object> extra =
        new ObjectMapper().readValue(example.group(1), new TypeReference<Map<String, Object>>() {});

    Map<String, Object> set = new LinkedHashMap<>();
    extra.forEach((key, value) -> set.put("extraConfig." + key.replace(".", "\\."), value));
    DedupConfig config = loadAsThePodWould(RenderedChart.render(null, set));

    extra.forEach(
        (key, value) -> assertThat(config.originals()).containsEntry(key, String.valueOf(value)));
  }

  @Test
  void shouldRunWithThePlatformsUserWhenThePodSecurityContextIsOff() throws IOException {
    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-openshift.yaml"), Map.of());
    PodSpec pod = chart.statefulSet().getSpec().getTemplate().getSpec();

    assertThat(pod.getSecurityContext()).isNull();
    for (Container container : pod.getContainers()) {
      assertThat(container.getSecurityContext().getRunAsUser()).isNull();
      assertThat(container.getSecurityContext().getRunAsGroup()).isNull();
    }
    // what an arbitrary UID with GID 0 writes to is a volume (/tmp, state) or group 0's in the
    // image
    assertThat(mountOf(chart.container(), "/tmp").getName()).isEqualTo("tmp");
    assertThat(mountOf(chart.container(), "/var/lib/kafka-dedup/state").getName())
        .isEqualTo(STATE_VOLUME);
    assertThat(Files.readString(Path.of("docker", "Dockerfile")))
        .containsPattern("install -d -o 10001 -g 0 -m 775 /var/lib/kafka-dedup\\s");
    assertThat(loadAsThePodWould(chart).logFormat()).isEqualTo(DedupConfig.LogFormat.JSON);
  }

  @Test
  void shouldLogAsTextByDefault() throws IOException {
    DedupConfig config = loadAsThePodWould(RenderedChart.render(null, Map.of()));

    assertThat(config.logFormat()).isEqualTo(DedupConfig.LogFormat.TEXT);
  }

  @Test
  void shouldTakeProbeSettingsFromValues() {
    Container container =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-platform.yaml"), Map.of())
            .container();

    assertThat(container.getLivenessProbe().getPeriodSeconds()).isEqualTo(20);
    assertThat(container.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
    assertThat(container.getReadinessProbe().getTimeoutSeconds()).isEqualTo(2);
    assertThat(container.getStartupProbe().getFailureThreshold()).isEqualTo(90);

    Container without =
        RenderedChart.render(
                null, Map.of("livenessProbe.enabled", false, "startupProbe.enabled", false))
            .container();
    assertThat(without.getLivenessProbe()).isNull();
    assertThat(without.getStartupProbe()).isNull();
    assertThat(without.getReadinessProbe()).isNotNull();
  }

  @Test
  void shouldApplyThePlatformSettings() {
    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-platform.yaml"), Map.of());
    StatefulSet sts = chart.statefulSet();
    PodSpec pod = sts.getSpec().getTemplate().getSpec();

    assertThat(chart.resources)
        .allSatisfy(
            r ->
                assertThat(r.getMetadata().getLabels())
                    .as(r.getKind())
                    .containsEntry("team", "payments")
                    .containsEntry("cost-center", "cc-1234"));
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "payments");
    assertThat(sts.getSpec().getSelector().getMatchLabels()).doesNotContainKey("team");
    assertThat(chart.container().getImage())
        .isEqualTo(
            "registry.example.com/platform/kafka-dedup@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(chart.one(ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/kafka-dedup");
    assertThat(pod.getServiceAccountName())
        .isEqualTo(chart.one(ServiceAccount.class).getMetadata().getName());
    assertThat(pod.getPriorityClassName()).isEqualTo("business-critical");
    assertThat(sts.getSpec().getUpdateStrategy().getRollingUpdate().getPartition()).isEqualTo(1);
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .isEqualTo("Retain");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled())
        .isEqualTo("Delete");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getAnnotations())
        .containsEntry("backup.velero.io/backup-volumes", "state");
    assertThat(pod.getVolumes()).extracting(Volume::getName).contains("ca-bundle");
    assertThat(mountOf(chart.container(), "/etc/ssl/corporate/ca.crt").getName())
        .isEqualTo("ca-bundle");
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("wait-for-ca");
    assertThat(pod.getContainers())
        .extracting(Container::getName)
        .containsExactly("kafka-dedup", "log-shipper");
  }

  @Test
  void shouldUseAnExistingClaimOnlyForASingleInstance() {
    Map<String, Object> existing =
        Map.of("persistence.existingClaim", "dedup-state", "replicas", 1);
    StatefulSet sts = RenderedChart.render(null, existing).statefulSet();

    assertThat(sts.getSpec().getVolumeClaimTemplates()).isEmpty();
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals(STATE_VOLUME))
        .singleElement()
        .satisfies(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("dedup-state"));
    assertThatThrownBy(
            () ->
                RenderedChart.render(null, Map.of("persistence.existingClaim", "dedup-state"))
                    .statefulSet())
        .hasMessageContaining("persistence.existingClaim needs replicas=1");
  }

  @Test
  void shouldLetTheReleaseReachOnlyDnsKafkaAndItself() {
    assertThat(RenderedChart.render(null, Map.of()).all(NetworkPolicy.class))
        .as("off by default")
        .isEmpty();
    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/values-platform.yaml"), Map.of());
    NetworkPolicy policy = chart.one(NetworkPolicy.class);
    Map<String, String> pods = chart.statefulSet().getSpec().getSelector().getMatchLabels();

    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(pods);
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    NetworkPolicyIngressRule ingress = policy.getSpec().getIngress().get(0);
    assertThat(policy.getSpec().getIngress()).hasSize(1);
    assertThat(ingress.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
    assertThat(ingress.getFrom())
        .extracting(
            peer -> peer.getPodSelector() == null ? null : peer.getPodSelector().getMatchLabels())
        .contains(pods);
    assertThat(ingress.getFrom())
        .extracting(NetworkPolicyPeer::getNamespaceSelector)
        .filteredOn(Objects::nonNull)
        .singleElement()
        .satisfies(
            ns ->
                assertThat(ns.getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", "monitoring"));

    List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
    assertThat(egress).hasSize(3);
    assertThat(egress.get(0).getPorts())
        .extracting(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
        .containsExactlyInAnyOrder("53/UDP", "53/TCP");
    assertThat(egress.get(1).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .as("the ports of kafka.bootstrapServers, once each")
        .containsExactly(9093, 9094);
    assertThat(egress.get(1).getTo())
        .singleElement()
        .satisfies(
            peer ->
                assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", "kafka"));
    assertThat(egress.get(2).getPorts().get(0).getPort().getIntVal())
        .isEqualTo(chart.container().getPorts().get(0).getContainerPort());
    assertThat(egress.get(2).getTo().get(0).getPodSelector().getMatchLabels()).isEqualTo(pods);
  }

  @Test
  void shouldDescribeTheChartForAdopters() throws IOException {
    JsonNode chart =
        new ObjectMapper(new YAMLFactory())
            .readTree(RenderedChart.CHART.resolve("Chart.yaml").toFile());

    assertThat(chart.path("kubeVersion").asText()).startsWith(">=" + RenderedChart.KUBE_VERSION);
    assertThat(chart.path("sources")).isNotEmpty();
    assertThat(chart.path("maintainers")).isNotEmpty();
    assertThat(chart.path("maintainers").get(0).path("name").asText()).isNotBlank();
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
