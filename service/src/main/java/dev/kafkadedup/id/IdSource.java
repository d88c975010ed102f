package dev.kafkadedup.id;

import java.util.Locale;

/** Where a record's ID comes from; the value of {@code id.source}. */
public enum IdSource {
  /** The record key, as bytes. */
  KEY,
  /** One or more fields of a JSON value, addressed by JSON Pointer (RFC 6901). */
  JSON,
  /** The last header with a given name. */
  HEADER,
  /** The whole value: records with byte-identical values are duplicates. */
  VALUE;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
