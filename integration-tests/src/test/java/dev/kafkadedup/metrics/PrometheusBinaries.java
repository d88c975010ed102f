package dev.kafkadedup.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds Debian's {@code prometheus} and {@code promtool} on the PATH. Without them a test is
 * skipped, loudly, on a developer machine, and fails in CI ({@code CI=true}), where {@code
 * .ci/setup.d/prometheus.sh} installs them.
 */
final class PrometheusBinaries {
  private PrometheusBinaries() {}

  static Path require(String name) {
    Optional<Path> found = onPath(name);
    if (found.isPresent()) {
      return found.get();
    }
    String message =
        name
            + " is not installed, so the check against a real Prometheus cannot run. Install it"
            + " with: apt-get update && apt-get install -y --no-install-recommends prometheus"
            + " (or run .ci/setup.d/prometheus.sh)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    System.err.println("\n*** SKIPPED: " + message + " ***\n");
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
