package dev.kafkadedup.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Prints the medians of each variant's rounds and the ratios the targets are stated in. */
public final class BenchTable {
  private BenchTable() {}

  public static void print(Map<Variant, List<BenchRunner.Result>> results, PrintStream out) {
    out.println();
    out.println("| variant | records/s | p50 ms | p99 ms | rounds |");
    out.println("|---|---:|---:|---:|---:|");
    results.forEach(
        (variant, rounds) ->
            out.printf(
                "| %s | %,.0f | %.0f | %.0f | %d |%n",
                variant.label(),
                median(rounds, BenchRunner.Result::recordsPerSecond),
                median(rounds, BenchRunner.Result::p50Millis),
                median(rounds, BenchRunner.Result::p99Millis),
                rounds.size()));
    out.println();
    ratio(results, Variant.CEILING, Variant.DEFAULT, out);
    ratio(results, Variant.DEDUP, Variant.CEILING, out);
    ratio(results, Variant.DEDUP, Variant.WINDOWSTORE, out);
    ratio(results, Variant.DEDUP, Variant.ALOS, out);
  }

  private static void ratio(
      Map<Variant, List<BenchRunner.Result>> results, Variant a, Variant b, PrintStream out) {
    if (results.containsKey(a) && results.containsKey(b)) {
      out.printf(
          "%s/%s = %.2f%n",
          a.label(),
          b.label(),
          median(results.get(a), BenchRunner.Result::recordsPerSecond)
              / median(results.get(b), BenchRunner.Result::recordsPerSecond));
    }
  }

  private static double median(
      List<BenchRunner.Result> rounds, ToDoubleFunction<BenchRunner.Result> figure) {
    double[] sorted = rounds.stream().mapToDouble(figure).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
