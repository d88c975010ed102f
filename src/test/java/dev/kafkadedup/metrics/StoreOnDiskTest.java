package dev.kafkadedup.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreOnDiskTest {
  @TempDir Path appDir;

  @Test
  void shouldMeasureSegmentsAndBytesOfTheNamedStoreOnly() throws IOException {
    segment("0_0", "seen-ids.0", 100);
    segment("0_0", "seen-ids.60000", 50);
    segment("0_1", "seen-ids.0", 25);
    segment("0_1", "other-store.0", 1_000);

    StoreOnDisk store = new StoreOnDisk(appDir, "seen-ids", Duration.ZERO);

    assertThat(store.segments()).isEqualTo(3);
    assertThat(store.bytes()).isEqualTo(175);
    assertThat(store.expiredSegments()).isZero();
  }

  @Test
  void shouldCountDroppedSegmentsAsExpiredButNotTasksThatMovedAway() throws IOException {
    segment("0_0", "seen-ids.0", 10);
    segment("0_0", "seen-ids.60000", 10);
    segment("0_1", "seen-ids.0", 10);
    StoreOnDisk store = new StoreOnDisk(appDir, "seen-ids", Duration.ZERO);
    assertThat(store.segments()).isEqualTo(3);

    delete(appDir.resolve("0_0/seen-ids/seen-ids.0")); // window expired
    delete(appDir.resolve("0_1")); // task migrated to another instance
    segment("0_0", "seen-ids.120000", 10);

    assertThat(store.expiredSegments()).isEqualTo(1);
    assertThat(store.segments()).isEqualTo(2);
  }

  @Test
  void shouldReadZeroWithoutAnyState() {
    StoreOnDisk store = new StoreOnDisk(appDir.resolve("absent"), "seen-ids", Duration.ZERO);

    assertThat(store.bytes()).isZero();
    assertThat(store.segments()).isZero();
  }

  private void segment(String task, String segment, int bytes) throws IOException {
    Path dir =
        Files.createDirectories(
            appDir.resolve(task).resolve(segment.split("\\.")[0]).resolve(segment));
    Files.write(dir.resolve("000001.sst"), new byte[bytes]);
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
