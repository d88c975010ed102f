package dev.kafkadedup.cli;

import dev.kafkadedup.config.ConfigLoader;
import dev.kafkadedup.state.StateReset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The supported way to start an application from scratch. */
@Command(
    name = "reset",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a configuration's application from scratch: deletes its consumer group (and",
      "offsets), its changelog, repartition and state-format topics and this machine's local",
      "state. Every instance must be stopped. Without --yes it only prints what it would remove."
    })
public final class ResetCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The application's configuration.")
  Path config;

  @Option(names = "--yes", description = "Remove it (default: a dry run).")
  boolean yes;

  @Override
  public Integer call() {
    new StateReset(ConfigLoader.load(config, System.getenv()), System.out).reset(!yes);
    return 0;
  }
}
