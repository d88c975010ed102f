package dev.kafkadedup.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where and when an ID was first seen inside the window: the window-clock time (record timestamp in
 * event-time mode, wall clock in processing-time mode) and the input record's coordinates. The
 * coordinates name the original for duplicates-topic headers and recognise a replay of the original
 * itself after a restart.
 *
 * <p>Stored compactly, relative to the start of the time bucket the ID is kept under: unsigned
 * varints of the time's offset into the bucket, the partition and the offset, the topic name, then
 * one byte naming the store layout ({@value #LAYOUT}). A typical value is 10–15 bytes; RocksDB's
 * block compression folds the repeated topic names and layout bytes.
 *
 * <p>Values of the earlier window-store layout end with the topic name itself. Kafka topic names
 * are ASCII letters, digits, '.', '_' and '-', so a last byte below {@code '-'} marks this layout
 * unambiguously, which lets a restore tell the two apart in one changelog.
 */
public record FirstOccurrence(long time, String topic, int partition, long offset) {
  /** The last byte of values of the bucket-keyed layout. */
  static final byte LAYOUT = 1;

  /** True when this is the same input record, not a repeat of it. */
  public boolean isSameRecord(String otherTopic, int otherPartition, long otherOffset) {
    return offset == otherOffset && partition == otherPartition && topic.equals(otherTopic);
  }

  /** The store value for this occurrence kept under the bucket starting at {@code bucketStart}. */
  public byte[] encode(long bucketStart) {
    long sinceBucket = time - bucketStart;
    if (sinceBucket < 0) {
      throw new IllegalArgumentException(time + " is before its bucket " + bucketStart);
    }
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer =
        ByteBuffer.allocate(
            varlongSize(sinceBucket)
                + varlongSize(partition)
                + varlongSize(offset)
                + topicBytes.length
                + 1);
    putVarlong(buffer, sinceBucket);
    putVarlong(buffer, partition);
    putVarlong(buffer, offset);
    return buffer.put(topicBytes).put(LAYOUT).array();
  }

  /** True for a value written by the window-store layout (no layout byte at the end). */
  static boolean isWindowStoreLayout(byte[] value) {
    return value.length > 0 && value[value.length - 1] >= '-';
  }

  /** A window-store layout value with the layout byte appended. */
  static byte[] fromWindowStoreLayout(byte[] value) {
    byte[] converted = Arrays.copyOf(value, value.length + 1);
    converted[value.length] = LAYOUT;
    return converted;
  }

  /** Decodes a seen-ID store value kept under the bucket starting at {@code bucketStart}. */
  public static FirstOccurrence decode(byte[] bytes, long bucketStart) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long time = bucketStart + getVarlong(buffer);
    int partition = (int) getVarlong(buffer);
    long offset = getVarlong(buffer);
    int topicBytes = buffer.remaining() - (isWindowStoreLayout(bytes) ? 0 : 1);
    String topic = new String(bytes, buffer.position(), topicBytes, StandardCharsets.UTF_8);
    return new FirstOccurrence(time, topic, partition, offset);
  }

  /** The window-clock time alone, without decoding the rest. */
  static long timeOf(byte[] bytes, long bucketStart) {
    return bucketStart + getVarlong(ByteBuffer.wrap(bytes));
  }

  // Unsigned LEB128 varints, 7 bits a byte, low bits first (as in protobuf and Kafka's records).

  private static int varlongSize(long value) {
    return Math.max(1, (Long.SIZE - Long.numberOfLeadingZeros(value) + 6) / 7);
  }

  private static void putVarlong(ByteBuffer buffer, long value) {
    while ((value & ~0x7FL) != 0) {
      buffer.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    buffer.put((byte) value);
  }

  private static long getVarlong(ByteBuffer buffer) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = buffer.get();
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }
}
