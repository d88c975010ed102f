package dev.kafkadedup.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavepointTest {
  private static final StateFormat FORMAT =
      new StateFormat(
          Map.of(StateFormat.LAYOUT, StateFormat.CURRENT_LAYOUT, "window.size", "PT24H"));
  private static final Savepoint.Header HEADER =
      new Savepoint.Header(
          Instant.parse("2026-12-01T10:00:00Z"),
          "app",
          FORMAT,
          3,
          Map.of(new TopicPartition("in", 0), 42L, new TopicPartition("in", 1), 7L));

  @TempDir Path dir;

  private List<Savepoint.Entry> entries(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Savepoint.Entry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] id = new byte[random.nextInt(1, 40)];
      random.nextBytes(id);
      long time = 1_700_000_000_000L + random.nextLong(-1L << 40, 1L << 40);
      String topic = random.nextBoolean() ? "orders" : "orders.v2";
      entries.add(
          new Savepoint.Entry(
              random.nextInt(3),
              new SeenIdStore.Entry(
                  id,
                  new FirstOccurrence(
                      time, topic, random.nextInt(100), random.nextLong(1L << 50)))));
    }
    return entries;
  }

  private Path write(List<Savepoint.Entry> entries) throws IOException {
    Path path = dir.resolve("s.savepoint");
    try (Savepoint.Writer writer = new Savepoint.Writer(path, HEADER)) {
      for (Savepoint.Entry e : entries) {
        writer.write(e.partition(), e.entry());
      }
    }
    return path;
  }

  @Test
  void shouldReadBackEveryEntryWithItsHeaderAndCounts() throws IOException {
    long seed = new SplittableRandom().nextLong();
    System.out.println("seed " + seed);
    List<Savepoint.Entry> written = entries(seed, 5_000);
    Path path = write(written);

    List<Savepoint.Entry> read = new ArrayList<>();
    Savepoint.Summary summary = Savepoint.read(path, read::add);

    assertThat(summary.header()).isEqualTo(HEADER);
    assertThat(summary.ids()).isEqualTo(written.size());
    assertThat(read).hasSameSizeAs(written);
    for (int i = 0; i < written.size(); i++) {
      assertThat(read.get(i).partition()).isEqualTo(written.get(i).partition());
      assertThat(read.get(i).entry().id()).isEqualTo(written.get(i).entry().id());
      assertThat(read.get(i).entry().first()).isEqualTo(written.get(i).entry().first());
    }
    assertThat(summary.oldestTime())
        .isEqualTo(written.stream().mapToLong(e -> e.entry().first().time()).min().orElseThrow());
    for (int p = 0; p < 3; p++) {
      int partition = p;
      assertThat(summary.newestTimes()[p])
          .isEqualTo(
              written.stream()
                  .filter(e -> e.partition() == partition)
                  .mapToLong(e -> e.entry().first().time())
                  .max()
                  .orElse(Long.MIN_VALUE));
    }
    assertThat(summary.bytes()).isEqualTo(Files.size(path));
    // compact: a 20-byte ID averages well under 40 bytes with its first occurrence
    assertThat(summary.bytes() / written.size()).isLessThan(45);
  }

  @Test
  void shouldWriteAnEmptySavepoint() throws IOException {
    Savepoint.Summary summary = Savepoint.verify(write(List.of()));
    assertThat(summary.ids()).isZero();
    assertThat(summary.newestTimes()).containsOnly(Long.MIN_VALUE);
  }

  @Test
  void shouldRejectEveryTruncation() throws IOException {
    byte[] whole = Files.readAllBytes(write(entries(1, 50)));
    Path cut = dir.resolve("cut.savepoint");
    for (int length = 0; length < whole.length; length++) {
      Files.write(cut, Arrays.copyOf(whole, length));
      assertThatThrownBy(() -> Savepoint.verify(cut))
          .as("cut at %d of %d bytes", length, whole.length)
          .isInstanceOf(StateCommandException.class)
          .hasMessageContaining(cut.toString());
    }
  }

  @Test
  void shouldRejectEveryFlippedBit() throws IOException {
    byte[] whole = Files.readAllBytes(write(entries(2, 20)));
    Path bad = dir.resolve("bad.savepoint");
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < whole.length; i++) {
      byte[] corrupted = whole.clone();
      corrupted[i] ^= (byte) (1 << random.nextInt(8));
      Files.write(bad, corrupted);
      assertThatThrownBy(() -> Savepoint.verify(bad))
          .as("bit flipped in byte %d", i)
          .isInstanceOf(StateCommandException.class);
    }
  }

  @Test
  void shouldNameWhatIsWrong() throws IOException {
    Path other = dir.resolve("other.savepoint");
    Files.write(other, "{\"not\": \"a savepoint\"}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Savepoint.verify(other))
        .hasMessageContaining("is not a kafka-dedup savepoint");

    byte[] whole = Files.readAllBytes(write(entries(4, 10)));
    byte[] newer = whole.clone();
    newer[Savepoint.MAGIC.length + 1] = 2;
    Files.write(other, newer);
    assertThatThrownBy(() -> Savepoint.verify(other)).hasMessageContaining("format version 2");

    Files.write(other, Arrays.copyOf(whole, whole.length - 3));
    assertThatThrownBy(() -> Savepoint.verify(other)).hasMessageContaining("is truncated");

    byte[] longer = Arrays.copyOf(whole, whole.length + 1);
    Files.write(other, longer);
    assertThatThrownBy(() -> Savepoint.verify(other)).hasMessageContaining("bytes after its end");
  }
}
