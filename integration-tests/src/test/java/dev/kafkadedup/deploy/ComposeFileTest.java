package dev.kafkadedup.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kafkadedup.config.ConfigLoader;
import dev.kafkadedup.config.DedupConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docker/docker-compose.yml} as {@code docker-compose config} resolves it: valid, mounting
 * files that exist, and giving the service a configuration it accepts. Skipped where no {@code
 * docker-compose} is installed (CI installs it, see {@code .ci/setup.d/compose.sh}).
 */
@Timeout(60)
class ComposeFileTest {
  private static final Path COMPOSE_FILE = Path.of("docker", "docker-compose.yml");

  @Test
  void shouldResolveToAStackTheServiceAccepts() throws IOException, InterruptedException {
    JsonNode stack = new ObjectMapper(new YAMLFactory()).readTree(composeConfig());

    assertThat(stack.get("services").fieldNames())
        .toIterable()
        .contains("kafka", "kafka-dedup", "producer", "prometheus", "grafana");
    for (JsonNode service : stack.get("services")) {
      for (JsonNode volume : service.path("volumes")) {
        // short syntax SOURCE:TARGET[:MODE]; a source that is a path is a bind mount
        String source =
            volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
        if (source.startsWith("/")) {
          assertThat(Path.of(source)).exists();
        }
      }
    }
    Map<String, String> env = new TreeMap<>();
    stack
        .at("/services/kafka-dedup/environment")
        .properties()
        .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    DedupConfig config = ConfigLoader.load(null, env);
    assertThat(config.streamsProperties().get("bootstrap.servers")).isEqualTo("kafka:9092");
  }

  private static String composeConfig() throws IOException, InterruptedException {
    Path binary = Path.of("/usr/bin/docker-compose");
    assumeTrue(Files.isExecutable(binary), "docker-compose is not installed");
    Process process =
        new ProcessBuilder(binary.toString(), "-f", COMPOSE_FILE.toString(), "config")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
