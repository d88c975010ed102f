package dev.kafkadedup.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchTableTest {
  private static final BenchRunner.Result FINISHED = new BenchRunner.Result(30_000, 150, 900, true);
  private static final BenchRunner.Result STOPPED = BenchRunner.Result.stopped(1_000_000, 500);

  @Test
  void shouldPrintExactRatiosWhenEveryRoundFinished() {
    String table =
        print(
            Map.of(
                Variant.DEDUP, List.of(FINISHED),
                Variant.WINDOWSTORE, List.of(new BenchRunner.Result(10_000, 100, 800, true))));

    assertThat(table)
        .contains("| dedup | 30,000 | 150 | 900 | 1 |")
        .contains("dedup/windowstore = 3.00");
  }

  @Test
  void shouldShowAStoppedVariantAsAnUpperBoundAndItsRatioAsALowerOne() {
    String table =
        print(Map.of(Variant.DEDUP, List.of(FINISHED), Variant.WINDOWSTORE, List.of(STOPPED)));

    assertThat(table)
        .contains("| windowstore | < 2,000 (stopped at the time limit) | — | — | 1 |")
        .contains("dedup/windowstore > 15.00");
  }

  @Test
  void shouldNotCompareTwoStoppedVariants() {
    String table =
        print(Map.of(Variant.DEDUP, List.of(STOPPED), Variant.WINDOWSTORE, List.of(STOPPED)));

    assertThat(table).contains("dedup/windowstore: both stopped at the time limit");
  }

  private static String print(Map<Variant, List<BenchRunner.Result>> results) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BenchTable.print(
        new LinkedHashMap<>(results), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
