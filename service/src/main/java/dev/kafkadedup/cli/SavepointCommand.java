package dev.kafkadedup.cli;

import dev.kafkadedup.config.ConfigLoader;
import dev.kafkadedup.state.Savepoint;
import dev.kafkadedup.state.SavepointCreator;
import dev.kafkadedup.state.SavepointRestorer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Savepoints: portable snapshots of the seen-ID state (docs/savepoints.md). */
@Command(
    name = "savepoint",
    mixinStandardHelpOptions = true,
    description = {
      "Portable snapshots of the seen-ID state, for upgrades, migrations (another partition",
      "count, window.size or id.store) and disaster recovery. See docs/savepoints.md."
    },
    subcommands = {
      SavepointCommand.Create.class,
      SavepointCommand.Restore.class,
      SavepointCommand.Inspect.class
    })
public final class SavepointCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Writes the state of a configuration's application (its changelog topic up to the last",
        "stable offsets) and the input offsets it corresponds to. Works while the service runs",
        "or is stopped; memory stays bounded whatever the number of IDs."
      })
  static final class Create implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The configuration the state was written with.")
    Path config;

    @Option(names = "--to", required = true, paramLabel = "PATH", description = "File to write.")
    Path to;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "PT60S",
        description = "How long to wait for a consistent cut (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
      new SavepointCreator(ConfigLoader.load(config, System.getenv()), System.out)
          .create(to, timeout);
      return 0;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Seeds the changelog topic of a configuration's application with a savepoint, so that",
        "its first start has that state, and sets its group's input offsets. The application",
        "must be stopped. Its partition count, window.size and id.store (raw to digest) may",
        "differ from the savepoint's."
      })
  static final class Restore implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The configuration of the application to restore into.")
    Path config;

    @Option(names = "--from", required = true, paramLabel = "PATH", description = "Savepoint file.")
    Path from;

    @Option(
        names = "--from-offsets",
        paramLabel = "WHERE",
        defaultValue = "snapshot",
        description =
            "Where the input starts: snapshot (the savepoint's offsets; the input topics"
                + " must be the same), earliest or latest (default: ${DEFAULT-VALUE}).")
    String fromOffsets;

    @Option(
        names = "--from-time",
        paramLabel = "TIME",
        description = "Start the input at the first record at or after this ISO-8601 instant.")
    Instant fromTime;

    @Option(
        names = "--force",
        description = "Add the savepoint's IDs to an application that already has state.")
    boolean force;

    @Override
    public Integer call() {
      SavepointRestorer.Offsets offsets;
      try {
        offsets = SavepointRestorer.Offsets.valueOf(fromOffsets.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this),
            "--from-offsets must be snapshot, earliest or latest, not '" + fromOffsets + "'");
      }
      new SavepointRestorer(ConfigLoader.load(config, System.getenv()), System.out)
          .restore(from, offsets, fromTime, force);
      return 0;
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Checks a savepoint file and prints its header, counts, time range and size.")
  static final class Inspect implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "PATH", description = "Savepoint file.")
    Path from;

    @Override
    public Integer call() {
      Savepoint.Summary summary = Savepoint.verify(from);
      Savepoint.Header header = summary.header();
      System.out.printf("savepoint    : %s (format version 1, checksum ok)%n", from);
      System.out.printf(
          "taken        : %s from application '%s'%n", header.created(), header.applicationId());
      System.out.printf(
          "state format : %s%n", new String(header.format().toJson(), StandardCharsets.UTF_8));
      System.out.printf("partitions   : %d%n", header.partitions());
      System.out.printf("IDs          : %,d%n", summary.ids());
      if (summary.ids() > 0) {
        System.out.printf(
            "first seen   : %s .. %s%n",
            Instant.ofEpochMilli(summary.oldestTime()), Instant.ofEpochMilli(summary.newestTime()));
      }
      System.out.printf(
          "input offsets: %d partitions %s%n", header.offsets().size(), header.offsets());
      System.out.printf("size         : %,d bytes%n", summary.bytes());
      return 0;
    }
  }
}
