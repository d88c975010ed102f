package dev.kafkadedup.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Where and when an ID was first seen inside the window: the window-clock time (record timestamp in
 * event-time mode, wall clock in processing-time mode) and the input record's coordinates. The
 * coordinates name the original for duplicates-topic headers and recognise a replay of the original
 * itself after an at-least-once restart.
 */
public record FirstOccurrence(long time, String topic, int partition, long offset) {
  private static final int FIXED_BYTES = Long.BYTES + Integer.BYTES + Long.BYTES;

  /** True when this is the same input record, not a repeat of it. */
  public boolean isSameRecord(String otherTopic, int otherPartition, long otherOffset) {
    return offset == otherOffset && partition == otherPartition && topic.equals(otherTopic);
  }

  public byte[] encode() {
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(FIXED_BYTES + topicBytes.length)
        .putLong(time)
        .putInt(partition)
        .putLong(offset)
        .put(topicBytes)
        .array();
  }

  /** Decodes a seen-ID store value (also read by interactive queries). */
  public static FirstOccurrence decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long time = buffer.getLong();
    int partition = buffer.getInt();
    long offset = buffer.getLong();
    String topic =
        new String(bytes, FIXED_BYTES, bytes.length - FIXED_BYTES, StandardCharsets.UTF_8);
    return new FirstOccurrence(time, topic, partition, offset);
  }

  /** The window-clock time alone, without decoding the rest. */
  static long timeOf(byte[] bytes) {
    return ByteBuffer.wrap(bytes).getLong();
  }
}
