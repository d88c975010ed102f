package dev.kafkadedup.bench;

/**
 * A set of 64-bit value digests without boxing: open addressing with linear probing. The bench JVM
 * also runs the measured variant, and a {@code HashSet<Long>} of a million digests, mutated while
 * the variant runs, filled the old generation with nodes pointing at young ones: the service's
 * young-collection pauses grew from 40 to 100 ms within one run. Not thread-safe.
 */
final class DigestSet {
  private long[] slots = new long[1 << 16];
  private int size;
  private boolean hasZero;

  /** Adds {@code digest}; false when it was already in the set. */
  boolean add(long digest) {
    if (digest == 0) { // 0 marks an empty slot
      boolean added = !hasZero;
      hasZero = true;
      return added;
    }
    if (2 * (size + 1) > slots.length) {
      grow();
    }
    if (!insert(slots, digest)) {
      return false;
    }
    size++;
    return true;
  }

  int size() {
    return size + (hasZero ? 1 : 0);
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (long digest : slots) {
      if (digest != 0) {
        insert(bigger, digest);
      }
    }
    slots = bigger;
  }

  // digests are uniformly distributed, so their low bits index the table as they are
  private static boolean insert(long[] table, long digest) {
    int mask = table.length - 1;
    for (int i = (int) digest & mask; ; i = (i + 1) & mask) {
      if (table[i] == 0) {
        table[i] = digest;
        return true;
      }
      if (table[i] == digest) {
        return false;
      }
    }
  }
}
