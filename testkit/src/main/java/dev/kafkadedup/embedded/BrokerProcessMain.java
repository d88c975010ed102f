package dev.kafkadedup.embedded;

import dev.kafkadedup.process.ChildLogback;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Main class of a child-process broker: runs {@code kafka.Kafka} (which stops the broker cleanly on
 * SIGTERM) and exits when the parent JVM dies, so no orphan broker keeps the ports.
 */
final class BrokerProcessMain {

  private static final String LOGBACK_CONFIG = ChildLogback.xml(Map.of());

  private BrokerProcessMain() {}

  public static void main(String[] args) {
    // The parent holds our stdin pipe open; EOF means it exited or was killed. System.exit runs
    // Kafka's shutdown hook, i.e. a clean broker shutdown.
    Thread parentWatcher =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // ignore input
                }
              } catch (IOException e) {
                // treat a broken pipe like EOF
              }
              System.exit(0);
            },
            "parent-watcher");
    parentWatcher.setDaemon(true);
    parentWatcher.start();
    kafka.Kafka.main(args);
  }

  static Path logFile(Path dataDir) {
    return dataDir.resolve("broker.log");
  }

  /**
   * The child runs in {@code dataDir}, so relative entries (e.g. {@code java -jar app.jar}) break.
   */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Paths.get(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** Starts {@code java -cp <this JVM's class path> BrokerProcessMain <configFile>}. */
  static Process launch(Path dataDir, Path configFile) {
    Path logbackConfig = dataDir.resolve("broker-logback.xml");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx1g",
            // the child logs everything to broker.log, independent of the app's logback.xml
            "-Dlogback.configurationFile=" + logbackConfig,
            "-cp",
            absoluteClassPath(),
            BrokerProcessMain.class.getName(),
            configFile.toString());
    try {
      Files.writeString(logbackConfig, LOGBACK_CONFIG);
      return new ProcessBuilder(command)
          .directory(dataDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(dataDir).toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the Kafka broker process", e);
    }
  }
}
