package dev.kafkadedup.cli;

import dev.kafkadedup.audit.AuditReport;
import dev.kafkadedup.audit.TopicAudit;
import dev.kafkadedup.config.ConfigLoader;
import dev.kafkadedup.config.DedupConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Checks a service's committed output against its input, independently of the service. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Reads the input topics, the output topic and the dead-letter topic of a configuration",
      "with read_committed, applies its ID extraction and reports IDs missing from the output,",
      "IDs output more than once within window.size, output records that are no input record",
      "and dead letters that do not match the input records without an ID. Memory stays",
      "bounded: what is read is spilled to a temporary RocksDB.",
      "Exit 0 when the output is exactly the first occurrence of each ID, 1 otherwise."
    })
public final class AuditCommand implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The service's configuration file (DEDUP_* environment overrides apply).")
  Path config;

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description =
          "Audit records with a timestamp at or after this ISO-8601 instant, e.g."
              + " 2026-11-26T10:00:00Z (default: from the beginning).")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      description =
          "Audit records with a timestamp before this instant (default: up to the end of each"
              + " partition when the audit starts).")
  Instant to;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    DedupConfig dedupConfig = ConfigLoader.load(config, System.getenv());
    out.printf(
        "audit        : %s -> %s (dead letters: %s)%s%s%n",
        dedupConfig
            .inputPattern()
            .map(p -> "/" + p + "/")
            .orElse(dedupConfig.inputTopics().toString()),
        dedupConfig.outputTopic(),
        dedupConfig.deadLetterTopic(),
        from == null ? "" : ", from " + from,
        to == null ? "" : ", to " + to);
    AuditReport report = new TopicAudit(dedupConfig, from, to).run();
    report.print(out);
    List<String> problems = report.problems();
    if (problems.isEmpty()) {
      out.println("verified: output == first occurrence of each input ID");
      return 0;
    }
    out.println("NOT verified:");
    problems.forEach(p -> out.println("  - " + p));
    return 1;
  }
}
