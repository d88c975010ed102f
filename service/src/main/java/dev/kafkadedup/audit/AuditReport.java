package dev.kafkadedup.audit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** What an audit found; {@link #problems()} is empty when the output is correct. */
public final class AuditReport {
  private static final int SAMPLES = 5;

  long inputRecords;
  long uniqueIds;
  long malformed;
  long outputRecords;
  long deadLetters;
  long readmitted;
  final Finding missing = new Finding("IDs of the input missing from the output");
  final Finding repeated =
      new Finding("IDs in the output more than once within window.size (duplicates)");
  final Finding foreign = new Finding("output records that are not an input record");

  AuditReport() {}

  /** A count of one kind of problem with a few examples. */
  static final class Finding {
    private final String description;
    private final List<String> samples = new ArrayList<>();
    private long count;

    private Finding(String description) {
      this.description = description;
    }

    void add(String example) {
      count++;
      if (samples.size() < SAMPLES) {
        samples.add(example);
      }
    }

    long count() {
      return count;
    }

    private String line() {
      return count + " " + description + (count > 0 ? ", e.g. " + samples : "");
    }
  }

  public long missing() {
    return missing.count();
  }

  public long repeated() {
    return repeated.count();
  }

  public long foreign() {
    return foreign.count();
  }

  public long deadLetters() {
    return deadLetters;
  }

  public long malformed() {
    return malformed;
  }

  public long uniqueIds() {
    return uniqueIds;
  }

  public long outputRecords() {
    return outputRecords;
  }

  /** Each way the output differs from the first occurrence of each input ID; empty if none. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    for (Finding finding : List.of(missing, repeated, foreign)) {
      if (finding.count() > 0) {
        problems.add(finding.line());
      }
    }
    if (deadLetters != malformed) {
      problems.add(
          deadLetters
              + " dead-lettered records from the audited input, but "
              + malformed
              + " input records have no usable ID");
    }
    return problems;
  }

  public void print(PrintStream out) {
    out.printf(
        "input        : %,d records, %,d unique IDs, %,d without a usable ID%n",
        inputRecords, uniqueIds, malformed);
    out.printf("output       : %,d records%n", outputRecords);
    out.printf("dead letters : %,d records%n", deadLetters);
    out.printf("missing      : %s%n", missing.line());
    out.printf("repeated     : %s%n", repeated.line());
    out.printf("foreign      : %s%n", foreign.line());
    out.printf(
        "re-admitted  : %,d IDs output again a full window.size later (allowed)%n", readmitted);
  }
}
