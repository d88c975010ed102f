package dev.kafkadedup.id;

/**
 * Well-formed UTF-8 as Unicode defines it (Table 3-7): Jackson's parser accepts overlong forms
 * ({@code C0 80}), code points above U+10FFFF and, in strings it skips, encoded surrogates, which a
 * strict reader of the output would refuse.
 */
final class Utf8 {
  private Utf8() {}

  /** True when {@code bytes[0..length)} is well-formed UTF-8. */
  static boolean isWellFormed(byte[] bytes, int length) {
    int i = 0;
    while (i < length) {
      int lead = bytes[i] & 0xFF;
      if (lead < 0x80) {
        i++;
        continue;
      }
      int continuations;
      int low = 0x80;
      int high = 0xBF;
      if (lead >= 0xC2 && lead <= 0xDF) {
        continuations = 1;
      } else if (lead >= 0xE0 && lead <= 0xEF) {
        continuations = 2;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
      } else if (lead >= 0xF0 && lead <= 0xF4) {
        continuations = 3;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
      } else {
        return false;
      }
      if (i + continuations >= length) {
        return false;
      }
      int second = bytes[i + 1] & 0xFF;
      if (second < low || second > high) {
        return false;
      }
      for (int k = 2; k <= continuations; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return false;
        }
      }
      i += continuations + 1;
    }
    return true;
  }
}
