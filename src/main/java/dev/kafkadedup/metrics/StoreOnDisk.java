package dev.kafkadedup.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The seen-ID store as it lies on disk under {@code <state.dir>/<application.id>/<task>/<store>/}:
 * bytes, time segments (one RocksDB directory each), and segments that disappeared while their task
 * stayed here, which is how window expiry shows: Kafka Streams drops a whole segment once stream
 * time passes its retention. Scanned at most every few seconds, on demand of a scrape.
 */
final class StoreOnDisk {
  private final Path applicationDir;
  private final String storeName;
  private final long rescanNanos;
  private Map<Path, Set<String>> segmentsByStoreDir = Map.of();
  private long scannedAt;
  private long bytes;
  private long expiredSegments;

  StoreOnDisk(Path applicationDir, String storeName, Duration rescanInterval) {
    this.applicationDir = applicationDir;
    this.storeName = storeName;
    this.rescanNanos = rescanInterval.toNanos();
    this.scannedAt = System.nanoTime() - rescanNanos;
  }

  synchronized long bytes() {
    rescanIfStale();
    return bytes;
  }

  synchronized long segments() {
    rescanIfStale();
    return segmentsByStoreDir.values().stream().mapToLong(Set::size).sum();
  }

  synchronized long expiredSegments() {
    rescanIfStale();
    return expiredSegments;
  }

  private void rescanIfStale() {
    long now = System.nanoTime();
    if (now - scannedAt < rescanNanos) {
      return;
    }
    scannedAt = now;
    Map<Path, Set<String>> current = new HashMap<>();
    long total = 0;
    for (Path taskDir : children(applicationDir)) {
      Path storeDir = taskDir.resolve(storeName);
      if (Files.isDirectory(storeDir)) {
        Set<String> segments = new HashSet<>();
        for (Path segment : children(storeDir)) {
          if (Files.isDirectory(segment)) {
            segments.add(segment.getFileName().toString());
          }
        }
        current.put(storeDir, segments);
        total += sizeOf(storeDir);
      }
    }
    for (Map.Entry<Path, Set<String>> before : segmentsByStoreDir.entrySet()) {
      Set<String> stillThere = current.get(before.getKey());
      if (stillThere != null) {
        expiredSegments += before.getValue().stream().filter(s -> !stillThere.contains(s)).count();
      }
    }
    segmentsByStoreDir = current;
    bytes = total;
  }

  private static Set<Path> children(Path dir) {
    Set<Path> children = new HashSet<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        entries.forEach(children::add);
      } catch (IOException e) {
        // a task directory removed during the scan: it holds nothing any more
      }
    }
    return children;
  }

  /** Sum of file sizes; files that RocksDB deletes during the walk are skipped. */
  private static long sizeOf(Path dir) {
    long[] total = {0};
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total[0] += attrs.size();
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // the store directory itself went away: count what was seen
    }
    return total[0];
  }
}
