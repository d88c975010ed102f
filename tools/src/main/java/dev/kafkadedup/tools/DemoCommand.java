package dev.kafkadedup.tools;

import dev.kafkadedup.DedupService;
import dev.kafkadedup.cli.ConsoleLogFormat;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.load.OutputVerifier;
import dev.kafkadedup.load.SampleEvents;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Zero set-up tour: a real single-node Kafka broker in this JVM, sample events with duplicates and
 * malformed records, the dedup service on them, and a {@code read_committed} check that the output
 * is exactly the unique input.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts an in-process Kafka broker on loopback, produces sample JSON events with",
      "duplicates and malformed records, deduplicates them by the /id field and verifies the",
      "read_committed output. Exit 0 when output == unique input, 1 otherwise."
    })
final class DemoCommand implements Callable<Integer> {
  static final String INPUT = "events";
  static final String OUTPUT = "events-unique";
  static final String DUPLICATES = "events-duplicates";
  static final String DEAD_LETTERS = "events-dead-letters";

  @Option(
      names = "--records",
      defaultValue = "200000",
      description = "Records to produce (default: ${DEFAULT-VALUE}).")
  int records;

  @Mixin SampleDataOptions data;

  @Option(
      names = "--malformed-ratio",
      defaultValue = "0.005",
      description = "Share of malformed JSON records (default: ${DEFAULT-VALUE}).")
  double malformedRatio;

  @Option(
      names = "--partitions",
      defaultValue = "6",
      description = "Input topic partitions (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--seed",
      description = "Random seed for the sample data (default: random, printed).")
  Long seed;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a service configuration key, e.g. --set window.size=PT1H or --set kafka.num.stream.threads=2.")
  Map<String, String> overrides = Map.of();

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description =
          "Serve /metrics, /health/live, /health/ready and /ids/{id} on 127.0.0.1:PORT while the"
              + " demo runs (default: no HTTP server).")
  Integer httpPort;

  @Option(
      names = "--timeout",
      defaultValue = "PT5M",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    Path log = Files.createTempFile("kafka-dedup-demo-", ".log");
    ConsoleLogFormat.toFile(log);
    try {
      return runDemo(out);
    } finally {
      out.printf("logs     : %s%n", log);
    }
  }

  private int runDemo(PrintStream out) throws IOException {
    long dataSeed = seed != null ? seed : System.nanoTime();
    Path stateDir = Files.createTempDirectory("kafka-dedup-demo-state");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startInProcess()) {
      out.printf("broker   : Kafka KRaft on %s (in-process)%n", broker.bootstrapServers());
      broker.createTopics(partitions, INPUT, OUTPUT, DUPLICATES, DEAD_LETTERS);

      SampleEvents events =
          SampleEvents.generate(
              INPUT,
              records,
              data.duplicateRatio,
              malformedRatio,
              data.valueBytes,
              Duration.ofHours(1),
              dataSeed);
      events.produce(broker.bootstrapServers());
      out.printf(
          "input    : %,d records on %d partitions (%,d unique IDs, %,d duplicates, %,d malformed; seed %d)%n",
          records,
          partitions,
          events.uniqueById().size(),
          events.duplicates(),
          events.malformed(),
          dataSeed);

      Map<String, String> settings =
          new HashMap<>(serviceConfig(broker.bootstrapServers(), stateDir));
      if (httpPort != null) {
        settings.put(DedupConfig.HTTP_HOST, "127.0.0.1");
        settings.put(DedupConfig.HTTP_PORT, httpPort.toString());
      }
      settings.putAll(overrides);
      DedupConfig config = DedupConfig.from(settings);
      try (DedupService service = new DedupService(config, httpPort != null);
          OutputVerifier verifier =
              new OutputVerifier(
                  broker.bootstrapServers(), events, OUTPUT, DEAD_LETTERS, DUPLICATES)) {
        long start = System.nanoTime();
        service.start();
        boolean complete =
            verifier.await(timeout, Duration.ofSeconds(2), v -> progress(out, v, events, start));
        out.println();
        double seconds =
            ((complete ? verifier.completedAtNanos() : System.nanoTime()) - start) / 1e9;
        out.printf("records in    : %,d%n", records);
        out.printf("unique out    : %,d%n", verifier.output());
        out.printf("duplicates    : %,d (to %s)%n", verifier.duplicates(), DUPLICATES);
        out.printf("dead-lettered : %,d (to %s)%n", verifier.deadLettered(), DEAD_LETTERS);
        out.printf(
            "throughput    : %,.0f records/s (%.1f s from start to last committed output)%n",
            records / seconds, seconds);
        List<String> problems = verifier.problems();
        if (problems.isEmpty()) {
          out.println("verified: output == unique input");
          return 0;
        }
        out.println("NOT verified: output differs from the unique input");
        problems.forEach(p -> out.println("  - " + p));
        return 1;
      }
    } finally {
      Utils.delete(stateDir.toFile());
    }
  }

  private static Map<String, String> serviceConfig(String bootstrapServers, Path stateDir) {
    return Map.of(
        "kafka.bootstrap.servers",
        bootstrapServers,
        "kafka.application.id",
        "kafka-dedup-demo",
        "kafka.state.dir",
        stateDir.toString(),
        "input.topics",
        INPUT,
        "output.topic",
        OUTPUT,
        "duplicates.topic",
        DUPLICATES,
        "dead.letter.topic",
        DEAD_LETTERS,
        "id.source",
        "json",
        "id.json.pointers",
        SampleEvents.ID_POINTER,
        "window.size",
        "PT24H");
  }

  private static void progress(PrintStream out, OutputVerifier v, SampleEvents events, long start) {
    double seconds = (System.nanoTime() - start) / 1e9;
    int done = v.output() + v.duplicates() + v.deadLettered();
    out.printf(
        "\rprogress : %,d / %,d records (%3.0f%%)  unique %,d  duplicates %,d  dead-lettered %,d  %.0f s",
        done,
        events.records().size(),
        100.0 * done / Math.max(1, events.records().size()),
        v.output(),
        v.duplicates(),
        v.deadLettered(),
        seconds);
    out.flush();
  }
}
