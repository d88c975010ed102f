package dev.kafkadedup.cli;

import dev.kafkadedup.ClusterAccess;
import dev.kafkadedup.state.StateCommandException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code java -jar kafka-dedup.jar <command>}. */
@Command(
    name = "kafka-dedup",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Exactly-once deduplication of Kafka topics.",
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      AuditCommand.class,
      SavepointCommand.class,
      ResetCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for an invalid configuration. */
  public static final int CONFIG_ERROR = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int execute(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              if (e instanceof ConfigException) {
                cmd.getErr().println("config error: " + e.getMessage());
                return CONFIG_ERROR;
              }
              // a missing ACL met outside Kafka Streams, e.g. by the state format check
              Throwable denied = ClusterAccess.accessDenied(e);
              if (denied != null) {
                cmd.getErr().println(ClusterAccess.deniedMessage(denied));
                return 1;
              }
              if (e instanceof StateCommandException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
              }
              throw e;
            })
        .execute(args);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"kafka-dedup " + (version == null ? "dev" : version)};
    }
  }
}
