package dev.kafkadedup.cli;

import dev.kafkadedup.DedupService;
import dev.kafkadedup.config.ConfigLoader;
import dev.kafkadedup.config.DedupConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The production entry point: runs the service against a real cluster until SIGTERM. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the dedup service until stopped (SIGTERM/SIGINT: commit, close, exit 0).",
      "Configuration: --config FILE (YAML or .properties), overridden by DEDUP_* environment"
          + " variables (DEDUP_WINDOW_SIZE sets window.size)."
    })
public final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Configuration file (.yaml/.yml or .properties).")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    // Registered before anything slow, so a SIGTERM during start-up still shuts down cleanly.
    ShutdownSignal shutdown = ShutdownSignal.install();
    int exitCode = 1;
    try {
      exitCode = runUntilStopped(shutdown);
      return exitCode;
    } finally {
      shutdown.done(exitCode);
    }
  }

  private int runUntilStopped(ShutdownSignal shutdown) throws InterruptedException {
    DedupConfig dedupConfig = ConfigLoader.load(config, System.getenv());
    ConsoleLogFormat.apply(dedupConfig.logFormat());
    try (DedupService service = new DedupService(dedupConfig, true)) {
      if (!shutdown.onSignal(service::close)) {
        return 0;
      }
      service.start();
      LOG.info("kafka-dedup started: {} -> {}", inputs(dedupConfig), dedupConfig.outputTopic());
      boolean failed = service.awaitStop();
      return failed ? 1 : 0;
    }
  }

  private static String inputs(DedupConfig config) {
    return config.inputPattern().map(p -> "/" + p + "/").orElse(config.inputTopics().toString());
  }

  /**
   * A JVM shutdown hook that runs the close action and then waits for the main thread to finish, so
   * the process exits only after the service has committed and closed. On a signal (SIGTERM) the
   * JVM would exit with 143; the hook ends the process with the service's own exit code instead.
   */
  static final class ShutdownSignal {
    private final CountDownLatch mainDone = new CountDownLatch(1);
    private Runnable action = () -> {};
    private boolean signalled;
    private volatile int exitCode = -1;

    static ShutdownSignal install() {
      ShutdownSignal signal = new ShutdownSignal();
      Runtime.getRuntime().addShutdownHook(new Thread(signal::shutDown, "kafka-dedup-shutdown"));
      return signal;
    }

    private void shutDown() {
      Runnable close;
      synchronized (this) {
        signalled = true;
        close = action;
      }
      if (mainDone.getCount() == 0) {
        return; // the main thread called System.exit itself: keep its exit code
      }
      close.run();
      try {
        mainDone.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(exitCode);
    }

    /** Sets the close action; false when the signal already came (do not start). */
    synchronized boolean onSignal(Runnable close) {
      this.action = close;
      return !signalled;
    }

    void done(int code) {
      exitCode = code;
      mainDone.countDown();
    }
  }
}
