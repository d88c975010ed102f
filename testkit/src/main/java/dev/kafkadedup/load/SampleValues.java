package dev.kafkadedup.load;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The shape of the sample events the demo, the tests and the bench send: a JSON object with the ID
 * in {@code /id}, a sequence number and padding to a fixed size, timestamped evenly over a spread.
 */
public final class SampleValues {
  /** The ID field's JSON Pointer. */
  public static final String ID_POINTER = "/id";

  private SampleValues() {}

  /** An ID of {@code digits} zero-padded digits after {@code evt-}: fixed-width, cheap to make. */
  public static String id(long n, int digits) {
    String number = Long.toString(n);
    return "evt-" + "0".repeat(Math.max(0, digits - number.length())) + number;
  }

  /** {@code {"id":"<id>","seq":<seq>,"payload":"xxx…"}}, padded to {@code valueBytes}. */
  public static byte[] json(String id, long seq, int valueBytes) {
    String head = "{\"id\":\"" + id + "\",\"seq\":" + seq + ",\"payload\":\"";
    int padding = Math.max(0, valueBytes - head.length() - 2);
    return (head + "x".repeat(padding) + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The timestamp of record {@code i} of {@code count}, rising evenly over a spread to {@code end}.
   */
  public static long timestamp(long end, Duration spread, long i, long count) {
    long spreadMillis = spread.toMillis();
    return end - spreadMillis + (long) ((double) spreadMillis * i / Math.max(1, count - 1));
  }
}
