package dev.kafkadedup.audit;

import dev.kafkadedup.id.IdEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Utils;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * What the audit has read, spilled to a throw-away RocksDB so memory stays bounded however large
 * the topics are. Keys sort so that one ordered scan visits every ID with all its facts together:
 *
 * <pre>
 * 'F' fingerprint(16)                              an input record's content (key, value, ts, headers)
 * 'I' id(12) 0x00                                  the ID occurs in the audited input
 * 'I' id(12) 0x01                                  the ID occurs in the look-back before the range
 * 'I' id(12) 0x02 time(8) partition(4) offset(8)   an output record with the ID
 * </pre>
 *
 * IDs are the service's own digests ({@link IdEncoding#DIGEST}). The value of an ID entry is the
 * start of the raw ID, for the report.
 */
final class AuditStore implements AutoCloseable {
  static final byte INPUT = 0;
  static final byte BEFORE_RANGE = 1;
  static final byte OUTPUT = 2;
  private static final byte CONTENT_PREFIX = 'F';
  private static final byte ID_PREFIX = 'I';
  private static final int FINGERPRINT_BYTES = 16;
  private static final int ID_BYTES = IdEncoding.DIGEST_BYTES;
  private static final byte[] EMPTY = {};

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private WriteBatch batch = new WriteBatch();

  AuditStore() {
    try {
      dir = Files.createTempDirectory("kafka-dedup-audit");
      options = new Options().setCreateIfMissing(true);
      // a scratch database, deleted on close: a crash loses nothing worth a write-ahead log
      writeOptions = new WriteOptions().setDisableWAL(true);
      db = RocksDB.open(options, dir.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create the audit's scratch directory", e);
    } catch (RocksDBException e) {
      throw new IllegalStateException("Could not open the audit's scratch RocksDB", e);
    }
  }

  void addContent(byte[] fingerprint) {
    put(
        ByteBuffer.allocate(1 + FINGERPRINT_BYTES).put(CONTENT_PREFIX).put(fingerprint).array(),
        EMPTY);
  }

  boolean hasContent(byte[] fingerprint) {
    flush();
    try {
      byte[] key =
          ByteBuffer.allocate(1 + FINGERPRINT_BYTES).put(CONTENT_PREFIX).put(fingerprint).array();
      return db.get(key) != null;
    } catch (RocksDBException e) {
      throw new IllegalStateException("Audit store read failed", e);
    }
  }

  void addInputId(byte[] id, byte[] rawId) {
    put(idKey(id, INPUT, 0).array(), shown(rawId));
  }

  void addIdBeforeRange(byte[] id, byte[] rawId) {
    put(idKey(id, BEFORE_RANGE, 0).array(), shown(rawId));
  }

  void addOutput(byte[] id, byte[] rawId, long timestamp, int partition, long offset) {
    ByteBuffer key = idKey(id, OUTPUT, 8 + 4 + 8);
    key.putLong(timestamp ^ Long.MIN_VALUE).putInt(partition).putLong(offset);
    put(key.array(), shown(rawId));
  }

  private static byte[] shown(byte[] rawId) {
    return Arrays.copyOf(rawId, Math.min(rawId.length, 80));
  }

  private static ByteBuffer idKey(byte[] id, byte kind, int extra) {
    return ByteBuffer.allocate(1 + ID_BYTES + 1 + extra).put(ID_PREFIX).put(id).put(kind);
  }

  private void put(byte[] key, byte[] value) {
    try {
      batch.put(key, value);
      if (batch.count() >= 10_000) {
        flush();
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException("Audit store write failed", e);
    }
  }

  private void flush() {
    if (batch.count() == 0) {
      return;
    }
    try {
      db.write(writeOptions, batch);
      batch.close();
      batch = new WriteBatch();
    } catch (RocksDBException e) {
      throw new IllegalStateException("Audit store write failed", e);
    }
  }

  /** One ID with everything the audit learned about it. */
  record IdFacts(byte[] rawId, boolean inInput, boolean beforeRange, long[] outputTimes) {}

  /** Visits every ID in key order. */
  void forEachId(Consumer<IdFacts> visitor) {
    flush();
    try (RocksIterator it = db.newIterator()) {
      it.seek(new byte[] {ID_PREFIX});
      byte[] current = null;
      byte[] rawId = null;
      boolean inInput = false;
      boolean beforeRange = false;
      long[] times = new long[4];
      int outputs = 0;
      for (; it.isValid() && it.key()[0] == ID_PREFIX; it.next()) {
        byte[] key = it.key();
        byte[] id = Arrays.copyOfRange(key, 1, 1 + ID_BYTES);
        if (current != null && !Arrays.equals(current, id)) {
          visitor.accept(new IdFacts(rawId, inInput, beforeRange, Arrays.copyOf(times, outputs)));
          inInput = false;
          beforeRange = false;
          outputs = 0;
        }
        current = id;
        rawId = it.value();
        switch (key[1 + ID_BYTES]) {
          case INPUT -> inInput = true;
          case BEFORE_RANGE -> beforeRange = true;
          default -> {
            if (outputs == times.length) {
              times = Arrays.copyOf(times, outputs * 2);
            }
            times[outputs++] = ByteBuffer.wrap(key, 2 + ID_BYTES, 8).getLong() ^ Long.MIN_VALUE;
          }
        }
      }
      if (current != null) {
        visitor.accept(new IdFacts(rawId, inInput, beforeRange, Arrays.copyOf(times, outputs)));
      }
    }
  }

  @Override
  public void close() {
    batch.close();
    db.close();
    writeOptions.close();
    options.close();
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + dir, e);
    }
  }
}
