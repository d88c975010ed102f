package dev.kafkadedup.id;

import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.Locale;

/**
 * How an ID is kept in the seen-ID store; the value of {@code id.store}. A digest bounds the key
 * size whatever the ID length; raw keeps IDs readable (for {@code GET /ids/{id}} and exports) at
 * the cost of space.
 */
public enum IdEncoding {
  /**
   * XXH3 128-bit digest: 16 bytes per ID. Accidental collisions need about 2^64 distinct IDs, far
   * beyond any window's content.
   */
  DIGEST {
    @Override
    public byte[] encode(byte[] rawId) {
      return XXH3.hashBytesTo128Bits(rawId).toByteArray();
    }
  },
  /** The ID bytes as extracted. */
  RAW {
    @Override
    public byte[] encode(byte[] rawId) {
      return rawId;
    }
  };

  private static final Hasher128 XXH3 = Hashing.xxh3_128();

  /** The store key for a raw ID. */
  public abstract byte[] encode(byte[] rawId);

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
