package dev.kafkadedup.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The input record a record came from, and its original key. When records are repartitioned by ID
 * the key is replaced by the ID, so the origin travels through the repartition topic in one binary
 * header that the dedup step reads and removes: outputs carry the user's headers only.
 */
record Origin(String topic, int partition, long offset, byte[] key) {
  static final String HEADER = "__dedup.origin";

  /** Adds this origin as the repartition header. */
  void writeTo(Headers headers) {
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    int keyBytes = key == null ? 0 : key.length;
    ByteBuffer buffer =
        ByteBuffer.allocate(4 + 8 + 2 + topicBytes.length + 1 + keyBytes)
            .putInt(partition)
            .putLong(offset)
            .putShort((short) topicBytes.length)
            .put(topicBytes)
            .put((byte) (key == null ? 0 : 1));
    if (key != null) {
      buffer.put(key);
    }
    headers.add(HEADER, buffer.array());
  }

  /** Reads and removes the repartition header; null when it is absent. */
  static Origin takeFrom(Headers headers) {
    Header header = headers.lastHeader(HEADER);
    if (header == null) {
      return null;
    }
    headers.remove(HEADER);
    ByteBuffer buffer = ByteBuffer.wrap(header.value());
    int partition = buffer.getInt();
    long offset = buffer.getLong();
    int topicLength = buffer.getShort() & 0xFFFF;
    String topic =
        new String(header.value(), buffer.position(), topicLength, StandardCharsets.UTF_8);
    buffer.position(buffer.position() + topicLength);
    byte[] key =
        buffer.get() == 0
            ? null
            : Arrays.copyOfRange(header.value(), buffer.position(), header.value().length);
    return new Origin(topic, partition, offset, key);
  }
}
