package dev.kafkadedup.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Prints the medians of each variant's rounds and the ratios the targets are stated in. A variant
 * with a round stopped at the time limit shows its rate as an upper bound ("<"), and ratios with it
 * as bounds too.
 */
public final class BenchTable {
  private BenchTable() {}

  public static void print(Map<Variant, List<BenchRunner.Result>> results, PrintStream out) {
    out.println();
    out.println("| variant | records/s | p50 ms | p99 ms | rounds |");
    out.println("|---|---:|---:|---:|---:|");
    results.forEach(
        (variant, rounds) -> {
          if (allFinished(rounds)) {
            out.printf(
                "| %s | %,.0f | %.0f | %.0f | %d |%n",
                variant.label(),
                median(rounds, BenchRunner.Result::recordsPerSecond),
                median(rounds, BenchRunner.Result::p50Millis),
                median(rounds, BenchRunner.Result::p99Millis),
                rounds.size());
          } else {
            out.printf(
                "| %s | < %,.0f (stopped at the time limit) | — | — | %d |%n",
                variant.label(),
                median(rounds, BenchRunner.Result::recordsPerSecond),
                rounds.size());
          }
        });
    out.println();
    ratio(results, Variant.CEILING, Variant.DEFAULT, out);
    ratio(results, Variant.DEDUP, Variant.CEILING, out);
    ratio(results, Variant.DEDUP, Variant.WINDOWSTORE, out);
    ratio(results, Variant.DEDUP, Variant.KEYVALUE, out);
    ratio(results, Variant.DEDUP, Variant.DEFAULT, out);
    ratio(results, Variant.DEDUP, Variant.ALOS, out);
  }

  private static void ratio(
      Map<Variant, List<BenchRunner.Result>> results, Variant a, Variant b, PrintStream out) {
    if (!results.containsKey(a) || !results.containsKey(b)) {
      return;
    }
    boolean aBound = !allFinished(results.get(a));
    boolean bBound = !allFinished(results.get(b));
    if (aBound && bBound) {
      out.printf("%s/%s: both stopped at the time limit%n", a.label(), b.label());
      return;
    }
    // an upper bound over an exact rate bounds the ratio from above, and the other way round
    out.printf(
        "%s/%s %s %.2f%n",
        a.label(),
        b.label(),
        aBound ? "<" : bBound ? ">" : "=",
        median(results.get(a), BenchRunner.Result::recordsPerSecond)
            / median(results.get(b), BenchRunner.Result::recordsPerSecond));
  }

  private static boolean allFinished(List<BenchRunner.Result> rounds) {
    return rounds.stream().allMatch(BenchRunner.Result::finished);
  }

  private static double median(
      List<BenchRunner.Result> rounds, ToDoubleFunction<BenchRunner.Result> figure) {
    double[] sorted = rounds.stream().mapToDouble(figure).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
