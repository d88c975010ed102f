package dev.kafkadedup.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.apache.kafka.common.TopicPartition;

/**
 * The savepoint file: a portable snapshot of an application's seen-ID state, written and read as a
 * stream so that its size, not the heap, grows with the number of IDs. The layout (version 1) is
 * documented in docs/savepoints.md: magic, version, a JSON header, one entry per ID, a trailer with
 * counts and times, and a CRC-32C of everything before it.
 */
public final class Savepoint {
  static final byte[] MAGIC = "KDSAVEPT".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final int ENTRY = 1;
  private static final int END = 0;
  private static final int MAX_HEADER_BYTES = 16 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Savepoint() {}

  /**
   * What a savepoint was taken from.
   *
   * @param partitions the partitions of the state (of its changelog topic)
   * @param offsets the application's committed input offsets that the state corresponds to
   */
  public record Header(
      Instant created,
      String applicationId,
      StateFormat format,
      int partitions,
      Map<TopicPartition, Long> offsets) {}

  /** One ID of the state, from the state partition that held it. */
  public record Entry(int partition, SeenIdStore.Entry entry) {}

  /**
   * What a whole file holds, known once it was read to the end and its checksum matched.
   *
   * @param newestTimes the newest first-occurrence time in each state partition (Long.MIN_VALUE for
   *     an empty one): the stream time the restore measures the window back from
   */
  public record Summary(Header header, long ids, long oldestTime, long[] newestTimes, long bytes) {
    public long newestTime() {
      return Arrays.stream(newestTimes).max().orElse(Long.MIN_VALUE);
    }
  }

  /** A file that is no savepoint, from a newer version, truncated or corrupted. */
  private static StateCommandException invalid(Path path, String problem) {
    return new StateCommandException("savepoint " + path + " " + problem);
  }

  /** Writes a savepoint to a temporary file and moves it into place on {@link #close()}. */
  public static final class Writer implements Closeable {
    private final Path path;
    private final Path partial;
    private final CheckedOutputStream checked;
    private final DataOutputStream out;
    private final Map<String, Integer> topics = new LinkedHashMap<>();
    private final long[] newestTimes;
    private long ids;
    private long oldestTime = Long.MAX_VALUE;

    public Writer(Path path, Header header) throws IOException {
      this.path = path;
      this.partial = path.resolveSibling(path.getFileName() + ".partial");
      // checksummed before buffering, so the checksum covers exactly what was written so far
      this.checked =
          new CheckedOutputStream(
              new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16), new CRC32C());
      this.out = new DataOutputStream(checked);
      this.newestTimes = new long[header.partitions()];
      Arrays.fill(newestTimes, Long.MIN_VALUE);
      out.write(MAGIC);
      out.writeShort(VERSION);
      byte[] json = headerJson(header);
      out.writeInt(json.length);
      out.write(json);
    }

    public void write(int partition, SeenIdStore.Entry entry) throws IOException {
      FirstOccurrence first = entry.first();
      out.writeByte(ENTRY);
      putVarlong(out, partition);
      putVarlong(out, entry.id().length);
      out.write(entry.id());
      putVarlong(out, zigzag(first.time()));
      Integer topic = topics.get(first.topic());
      if (topic == null) {
        topics.put(first.topic(), topics.size() + 1);
        putVarlong(out, 0);
        byte[] name = first.topic().getBytes(StandardCharsets.UTF_8);
        putVarlong(out, name.length);
        out.write(name);
      } else {
        putVarlong(out, topic);
      }
      putVarlong(out, first.partition());
      putVarlong(out, first.offset());
      ids++;
      oldestTime = Math.min(oldestTime, first.time());
      newestTimes[partition] = Math.max(newestTimes[partition], first.time());
    }

    public long ids() {
      return ids;
    }

    @Override
    public void close() throws IOException {
      out.writeByte(END);
      putVarlong(out, ids);
      putVarlong(out, zigzag(ids == 0 ? 0 : oldestTime));
      for (long newest : newestTimes) {
        putVarlong(out, zigzag(newest));
      }
      out.writeInt((int) checked.getChecksum().getValue());
      out.close();
      Files.move(
          partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Reads a whole file and checks it; throws {@link StateCommandException} if it is not whole. */
  public static Summary verify(Path path) {
    return read(path, entry -> {});
  }

  /**
   * Reads a whole file, passing each entry to {@code handler}, and checks it at the end. Callers
   * that must not act on a damaged file call {@link #verify} first.
   */
  public static Summary read(Path path, Consumer<Entry> handler) {
    try (InputStream file = Files.newInputStream(path)) {
      CheckedInputStream checked =
          new CheckedInputStream(new BufferedInputStream(file, 1 << 16), new CRC32C());
      DataInputStream in = new DataInputStream(checked);
      long ids = 0;
      try {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
          throw invalid(path, "is not a kafka-dedup savepoint");
        }
        int version = in.readUnsignedShort();
        if (version != VERSION) {
          throw invalid(path, "has format version " + version + "; this version reads " + VERSION);
        }
        int headerBytes = in.readInt();
        if (headerBytes < 0 || headerBytes > MAX_HEADER_BYTES) {
          throw invalid(path, "is corrupted (header length " + headerBytes + ")");
        }
        byte[] json = new byte[headerBytes];
        in.readFully(json);
        Header header = parseHeader(path, json);
        List<String> topics = new ArrayList<>();
        int tag;
        while ((tag = in.readUnsignedByte()) == ENTRY) {
          int partition = (int) getVarlong(in);
          byte[] id = new byte[checkedLength(path, getVarlong(in))];
          in.readFully(id);
          long time = unzigzag(getVarlong(in));
          int topicRef = (int) getVarlong(in);
          if (topicRef == 0) {
            byte[] name = new byte[checkedLength(path, getVarlong(in))];
            in.readFully(name);
            topics.add(new String(name, StandardCharsets.UTF_8));
            topicRef = topics.size();
          }
          if (topicRef < 0
              || topicRef > topics.size()
              || partition < 0
              || partition >= header.partitions()) {
            throw invalid(path, "is corrupted (entry " + (ids + 1) + ")");
          }
          int originPartition = (int) getVarlong(in);
          long offset = getVarlong(in);
          handler.accept(
              new Entry(
                  partition,
                  new SeenIdStore.Entry(
                      id,
                      new FirstOccurrence(
                          time, topics.get(topicRef - 1), originPartition, offset))));
          ids++;
        }
        if (tag != END) {
          throw invalid(path, "is corrupted (entry " + (ids + 1) + ")");
        }
        long count = getVarlong(in);
        long oldest = unzigzag(getVarlong(in));
        long[] newest = new long[header.partitions()];
        for (int p = 0; p < newest.length; p++) {
          newest[p] = unzigzag(getVarlong(in));
        }
        int expected = (int) checked.getChecksum().getValue();
        int crc = in.readInt();
        if (crc != expected || count != ids) {
          throw invalid(path, "is corrupted (checksum mismatch)");
        }
        if (in.read() != -1) {
          throw invalid(path, "has bytes after its end");
        }
        return new Summary(header, ids, oldest, newest, Files.size(path));
      } catch (EOFException e) {
        throw invalid(path, "is truncated (it ends after " + ids + " IDs)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read savepoint " + path, e);
    }
  }

  private static byte[] headerJson(Header header) {
    ObjectNode root = JSON.createObjectNode();
    root.put("created", header.created().toString());
    root.put("applicationId", header.applicationId());
    root.set("format", JSON.valueToTree(header.format().fields()));
    root.put("partitions", header.partitions());
    ArrayNode offsets = root.putArray("offsets");
    header
        .offsets()
        .forEach(
            (tp, offset) ->
                offsets
                    .addObject()
                    .put("topic", tp.topic())
                    .put("partition", tp.partition())
                    .put("offset", offset));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Header parseHeader(Path path, byte[] json) {
    try {
      var root = JSON.readTree(json);
      Map<String, String> format = new LinkedHashMap<>();
      root.required("format")
          .properties()
          .forEach(e -> format.put(e.getKey(), e.getValue().asText()));
      Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
      for (var offset : root.required("offsets")) {
        offsets.put(
            new TopicPartition(
                offset.required("topic").asText(), offset.required("partition").asInt()),
            offset.required("offset").asLong());
      }
      int partitions = root.required("partitions").asInt();
      if (partitions <= 0) {
        throw new IllegalArgumentException("partitions " + partitions);
      }
      return new Header(
          Instant.parse(root.required("created").asText()),
          root.required("applicationId").asText(),
          new StateFormat(format),
          partitions,
          offsets);
    } catch (IOException | RuntimeException e) {
      throw invalid(path, "has a corrupted header: " + e.getMessage());
    }
  }

  private static int checkedLength(Path path, long length) {
    if (length < 0 || length > MAX_HEADER_BYTES) {
      throw invalid(path, "is corrupted (a length of " + length + ")");
    }
    return (int) length;
  }

  // Unsigned LEB128 varints as in the store values; times zigzag-encoded (they may be negative).

  private static void putVarlong(OutputStream out, long value) throws IOException {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long getVarlong(DataInputStream in) throws IOException {
    long value = 0;
    for (int shift = 0; shift < Long.SIZE; shift += 7) {
      byte b = in.readByte();
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IOException("varint longer than 64 bits");
  }

  private static long zigzag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long unzigzag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }
}
