package dev.kafkadedup.topology;

/**
 * A record's payload tagged with where it goes next. Lives only between processors of one
 * sub-topology, so it is never serialized.
 */
record Routed(Route route, byte[] payload) {
  enum Route {
    /** First occurrence: to the output topic. */
    UNIQUE,
    /** Repeat inside the window: to the duplicates topic. */
    DUPLICATE,
    /** No usable ID: to the dead-letter topic. */
    DEAD_LETTER,
    /** ID extracted and now the key: on to the repartition topic. */
    KEYED
  }

  boolean is(Route other) {
    return route == other;
  }
}
