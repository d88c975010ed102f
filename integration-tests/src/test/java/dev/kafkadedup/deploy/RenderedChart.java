package dev.kafkadedup.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart rendered by Helm itself ({@code helm template}) and parsed into the Kubernetes API
 * model, plus what a pod of its StatefulSet would see: its config file and environment.
 */
final class RenderedChart {
  static final Path CHART = Path.of("helm", "kafka-dedup");
  static final String RELEASE = "dedup";
  static final String POD_NAME = RELEASE + "-kafka-dedup-0";

  /** The oldest Kubernetes the chart supports (kubeVersion in Chart.yaml): rendered for it. */
  static final String KUBE_VERSION = "1.27.0";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The model class of each kind the chart renders, by apiVersion/kind. */
  private static final Map<String, Class<? extends HasMetadata>> MODEL =
      Map.of(
          "v1/ConfigMap", ConfigMap.class,
          "v1/Service", Service.class,
          "v1/ServiceAccount", ServiceAccount.class,
          "v1/Pod", Pod.class,
          "apps/v1/StatefulSet", StatefulSet.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
          "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
          "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class,
          // KEDA publishes no Java model: checked field by field in the test
          "keda.sh/v1alpha1/ScaledObject", GenericKubernetesResource.class);

  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  final List<HasMetadata> resources;

  private RenderedChart(List<HasMetadata> resources) {
    this.resources = resources;
  }

  /** {@code helm template dedup helm/kafka-dedup [-f values] [--set k=v ...]}. */
  static RenderedChart render(Path valuesFile, Map<String, Object> set) {
    TemplateCommand template =
        new Helm(CHART).template().withName(RELEASE).withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    set.forEach(template::set);
    return parse(template.call());
  }

  static RenderedChart parse(String manifests) {
    List<HasMetadata> resources = new ArrayList<>();
    try {
      for (Object document : YAML.readerFor(Map.class).readValues(manifests).readAll()) {
        if (document == null) {
          continue;
        }
        Map<?, ?> map = (Map<?, ?>) document;
        String type = map.get("apiVersion") + "/" + map.get("kind");
        Class<? extends HasMetadata> model = MODEL.get(type);
        if (model == null) {
          throw new AssertionError("the chart renders an unexpected kind " + type);
        }
        resources.add(YAML.convertValue(map, model));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RenderedChart(resources);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> all = all(type);
    if (all.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", got " + all.size());
    }
    return all.get(0);
  }

  StatefulSet statefulSet() {
    return one(StatefulSet.class);
  }

  Container container() {
    return statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  ConfigMap configMap() {
    return all(ConfigMap.class).stream()
        .filter(c -> c.getData().containsKey("config.yaml"))
        .findFirst()
        .orElseThrow();
  }

  String configFile() {
    return configMap().getData().get("config.yaml");
  }

  /**
   * The container's environment as the kubelet would set it: {@code $(VAR)} references expanded,
   * the pod name from the downward API, secret keys as {@code <secret-name/key>} placeholders.
   */
  Map<String, String> podEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container().getEnv()) {
      String value;
      if (var.getValueFrom() == null) {
        value = expand(var.getValue(), env);
      } else if (var.getValueFrom().getFieldRef() != null) {
        if (!"metadata.name".equals(var.getValueFrom().getFieldRef().getFieldPath())) {
          throw new AssertionError("unexpected field reference in " + var);
        }
        value = POD_NAME;
      } else if (var.getValueFrom().getSecretKeyRef() != null) {
        value = secretPlaceholder(var);
      } else {
        throw new AssertionError("unexpected env source in " + var);
      }
      env.put(var.getName(), value);
    }
    return env;
  }

  static String secretPlaceholder(EnvVar var) {
    return "<"
        + var.getValueFrom().getSecretKeyRef().getName()
        + "/"
        + var.getValueFrom().getSecretKeyRef().getKey()
        + ">";
  }

  private static String expand(String value, Map<String, String> defined) {
    Matcher m = ENV_REFERENCE.matcher(value == null ? "" : value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      if (!defined.containsKey(name)) {
        throw new AssertionError("$(" + name + ") is not defined before it is used");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(defined.get(name)));
    }
    return m.appendTail(out).toString();
  }

  /**
   * Paths of fields the model did not know (fabric8 keeps them in {@code additionalProperties}
   * instead of failing): a typo or a wrong nesting in a template.
   */
  List<String> unknownFields() {
    List<String> unknown = new ArrayList<>();
    for (HasMetadata resource : resources) {
      if (!(resource instanceof GenericKubernetesResource)) {
        collectUnknown(
            resource, resource.getKind() + "/" + resource.getMetadata().getName(), unknown);
      }
    }
    return unknown;
  }

  private static void collectUnknown(Object node, String path, List<String> unknown) {
    if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collectUnknown(list.get(i), path + "[" + i + "]", unknown);
      }
    } else if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknown(v, path + "." + k, unknown));
    } else if (node != null && node.getClass().getPackageName().startsWith("io.fabric8")) {
      for (Method getter : node.getClass().getMethods()) {
        if (getter.getParameterCount() != 0
            || Modifier.isStatic(getter.getModifiers())
            || !getter.getName().startsWith("get")
            || getter.getDeclaringClass() == Object.class) {
          continue;
        }
        Object value = invoke(getter, node);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            unknown.add(path + " " + extra.keySet());
          }
        } else {
          collectUnknown(value, path + "." + getter.getName().substring(3), unknown);
        }
      }
    }
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(getter + " on " + target.getClass(), e);
    }
  }
}
