package dev.kafkadedup.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DigestSetTest {
  @Test
  void shouldAgreeWithAHashSetThroughGrowthCollisionsAndZero() {
    SplittableRandom random = new SplittableRandom(7);
    DigestSet digests = new DigestSet();
    Set<Long> expected = new HashSet<>();
    for (int n = 0; n < 300_000; n++) {
      // a small range forces repeats; multiples of 2^20 share their low bits (one probe chain)
      long digest =
          switch (n % 3) {
            case 0 -> random.nextLong(100_000);
            case 1 -> random.nextLong(64) << 20;
            default -> random.nextLong();
          };
      assertThat(digests.add(digest)).as("add " + digest).isEqualTo(expected.add(digest));
    }
    assertThat(expected).contains(0L);
    assertThat(digests.size()).isEqualTo(expected.size());
    for (long digest : expected) {
      assertThat(digests.add(digest)).as("again " + digest).isFalse();
    }
  }
}
