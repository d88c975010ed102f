package dev.kafkadedup.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instance of the packaged service, {@code java -jar kafka-dedup.jar run --config FILE}, as a
 * separate OS process that can be SIGKILLed or SIGTERMed. Its output is appended to a log file that
 * is read for the service's {@code State X -> RUNNING} line and for Kafka Streams' state wipes.
 * Used by {@code bench --recovery} and by the crash tests.
 */
public final class ServiceProcess {
  /**
   * Kafka Streams' warning, once per task, when it finds local state but no checkpoint under EOS
   * (after an unclean exit) and so wipes the state and restores it from the changelog.
   */
  public static final String WIPE_LOG =
      "did not find checkpoint offsets while stores are not empty";

  private static final Pattern RESTORED =
      Pattern.compile("Finished restoring changelog .* total number of (\\d+) records");

  private final String name;
  private final Path jar;
  private final Path configFile;
  private final Path logbackFile;
  private final Path logFile;
  private Process process;
  private long startedAtNanos;
  private long logOffset;

  public ServiceProcess(String name, Path jar, Path configFile, Path logbackFile, Path logFile) {
    this.name = name;
    this.jar = jar;
    this.configFile = configFile;
    this.logbackFile = logbackFile;
    this.logFile = logFile;
  }

  public String name() {
    return name;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public void start() {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx384m",
            "-XX:+UseSerialGC",
            "-Dlogback.configurationFile=" + logbackFile,
            "-jar",
            jar.toString(),
            "run",
            "--config",
            configFile.toString());
    try {
      logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
      startedAtNanos = System.nanoTime();
      // straight to the file, not through a pipe: Process.destroy() closes the pipes, and the
      // shutdown's log lines would be lost
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + name, e);
    }
  }

  /** The log lines written since the last start. */
  private List<String> linesSinceStart() {
    try {
      byte[] log = Files.readAllBytes(logFile);
      String text =
          new String(log, (int) logOffset, log.length - (int) logOffset, StandardCharsets.UTF_8);
      return text.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGSTOP: the process freezes mid-flight, holding its open transaction. */
  public void suspend() {
    signal("STOP");
  }

  /** SIGCONT: a suspended process resumes where it stopped, unaware of the time passed. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Changelog records restored since the last start, by every restore so far. */
  public long restoredRecordsSoFar() {
    long records = 0;
    for (String line : linesSinceStart()) {
      Matcher finished = RESTORED.matcher(line);
      if (finished.find()) {
        records += Long.parseLong(finished.group(1));
      }
    }
    return records;
  }

  /** Log lines since the last start that contain {@code text}. */
  public long countLog(String text) {
    return linesSinceStart().stream().filter(line -> line.contains(text)).count();
  }

  /**
   * Waits until more than {@code seen} log lines since the last start contain {@code text}; false
   * after the timeout.
   */
  public boolean awaitLogCount(String text, long seen, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (countLog(text) <= seen) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return true;
  }

  /** Waits until a log line since the last start contains {@code text}; false after timeout. */
  public boolean awaitLog(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (linesSinceStart().stream().noneMatch(line -> line.contains(text))) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return true;
  }

  /** Waits up to {@code timeout} for the process to exit by itself: its exit code, or empty. */
  public OptionalInt exitCodeWithin(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        ? OptionalInt.of(process.exitValue())
        : OptionalInt.empty();
  }

  /** The exit status of a process that SIGKILL ended: 128 + signal 9. */
  public static final int KILLED_EXIT_STATUS = 137;

  /**
   * SIGKILL: no shutdown hook, no commit, no close. Returns the exit status, {@link
   * #KILLED_EXIT_STATUS} when the signal ended a live process rather than finding it gone.
   */
  public int kill() {
    process.destroyForcibly();
    return awaitExit();
  }

  /** SIGTERM: the service commits, closes and exits 0. */
  public void terminate() {
    process.destroy();
    int code = awaitExit();
    if (code != 0) {
      throw new IllegalStateException(
          name + " exited with " + code + " after SIGTERM; see " + logFile);
    }
  }

  private int awaitExit() {
    try {
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Milliseconds from process start to the first RUNNING state (when the log line was seen, within
   * 20 ms); fails after {@code timeout}.
   */
  public long awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (linesSinceStart().stream().noneMatch(line -> line.contains("-> RUNNING"))) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + " before RUNNING; see " + logFile);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " not RUNNING after " + timeout + "; see " + logFile);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return (System.nanoTime() - startedAtNanos) / 1_000_000;
  }

  /** What Kafka Streams restored from the changelog since the last start. */
  public record Restore(long records, long millis) {}

  /**
   * Sums Kafka Streams' "Finished restoring changelog ... total number of N records" lines between
   * the last start and RUNNING; the time runs from the first changelog end-offset lookup to the
   * last finish.
   */
  public Restore restored() {
    long records = 0;
    LocalTime first = null;
    LocalTime last = null;
    for (String line : linesSinceStart()) {
      if (line.contains("-> RUNNING")) {
        break; // later restores belong to rebalances, not to this start
      }
      Matcher finished = RESTORED.matcher(line);
      if (finished.find()) {
        records += Long.parseLong(finished.group(1));
        last = LocalTime.parse(line.substring(0, 12));
      } else if (line.contains("End offset for changelog") && first == null) {
        first = LocalTime.parse(line.substring(0, 12));
      }
    }
    long millis = first == null || last == null ? 0 : Duration.between(first, last).toMillis();
    return new Restore(records, Math.max(0, millis));
  }

  /** Tasks whose local state Kafka Streams wiped since the last start. */
  public long wipedTasks() {
    // the stream thread logs it once per task (the main thread may log it once more at start-up)
    return linesSinceStart().stream()
        .filter(line -> line.contains(WIPE_LOG) && line.contains("stream-task ["))
        .count();
  }

  /** SIGKILLs a still-running instance at the end of a test. */
  public void destroy() {
    if (isAlive()) {
      process.destroyForcibly();
      awaitExit();
    }
  }

  /** The packaged jar: the one under test (Failsafe passes its path), or the running one. */
  public static Path packagedJar() {
    String jar = System.getProperty("kafkadedup.jar");
    if (jar != null) {
      return Paths.get(jar);
    }
    try {
      return Paths.get(
          ServiceProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate the packaged jar", e);
    }
  }

  /** Writes service settings ({@code key -> value}) to a properties file for {@code --config}. */
  public static Path writeConfig(Path file, Map<?, ?> settings) throws IOException {
    Properties properties = new Properties();
    properties.putAll(settings);
    try (OutputStream out = Files.newOutputStream(file)) {
      properties.store(out, null);
    }
    return file;
  }

  /** Writes the service logback configuration into {@code dir}; its path. */
  public static Path writeLogback(Path dir) throws IOException {
    return Files.writeString(dir.resolve("service-logback.xml"), SERVICE_LOGBACK);
  }

  /** Service logs: state changes, and Kafka Streams' wipes and restores of local state. */
  private static final String SERVICE_LOGBACK =
      ChildLogback.xml(
          Map.of(
              "org.apache.kafka", "WARN",
              "org.apache.kafka.streams.KafkaStreams", "INFO",
              "org.apache.kafka.streams.processor.internals.ProcessorStateManager", "INFO",
              "org.apache.kafka.streams.processor.internals.StoreChangelogReader", "INFO"));
}
