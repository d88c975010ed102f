package dev.kafkadedup.cli;

import dev.kafkadedup.ClusterAccess;
import dev.kafkadedup.state.StateCommandException;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the service: {@code run}, {@code audit}, {@code savepoint} and {@code reset}. The
 * all-in-one jar of the tools module adds {@code demo} and {@code bench} through {@link
 * #execute(List, String...)}.
 */
@Command(
    name = "kafka-dedup",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Exactly-once deduplication of Kafka topics.",
    subcommands = {
      RunCommand.class,
      AuditCommand.class,
      SavepointCommand.class,
      ResetCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for an invalid configuration. */
  public static final int CONFIG_ERROR = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int execute(String... args) {
    return execute(List.of(), args);
  }

  /** Runs a command line with {@code extraCommands} after the service's own; its exit code. */
  public static int execute(List<Object> extraCommands, String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    extraCommands.forEach(commandLine::addSubcommand);
    return commandLine
        .addSubcommand(new CommandLine.HelpCommand())
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
