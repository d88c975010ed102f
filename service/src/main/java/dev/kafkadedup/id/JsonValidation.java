package dev.kafkadedup.id;

import java.util.Locale;

/**
 * How much of a JSON value is checked when the ID comes from it; the value of {@code
 * id.json.validate}.
 */
public enum JsonValidation {
  /**
   * The whole value must be one well-formed JSON document (UTF-8, nothing after the root value): a
   * value that breaks after the ID field is a dead letter, not a unique record.
   */
  FULL,
  /**
   * Parsing stops once every ID field is found, so a value that breaks after them passes. Cheaper
   * for large values, for inputs whose producers are trusted to write JSON.
   */
  ID_ONLY;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant for a {@link #configValue()}. */
  public static JsonValidation ofConfigValue(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
