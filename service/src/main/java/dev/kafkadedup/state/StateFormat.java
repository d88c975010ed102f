package dev.kafkadedup.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the bytes of the seen-ID state depend on: the store layout, the window (bucket starts), the
 * ID encoding and where the ID comes from. State written under one format means nothing under
 * another: a changed {@code window.size} or {@code id.store} would silently forget every ID seen.
 * So the format is recorded once per {@code application.id} and compared at every start ({@link
 * StateFormatGuard}), and a savepoint carries the format it was taken with.
 *
 * @param fields configuration keys (and {@value #LAYOUT}) with their values, in a fixed order
 */
public record StateFormat(Map<String, String> fields) {
  /** The key of the store layout's version. */
  public static final String LAYOUT = "layout";

  /** The layout this version writes: bucket-keyed seen-ID store, {@code FirstOccurrence} v1. */
  public static final String CURRENT_LAYOUT = "seen-ids/1";

  private static final ObjectMapper JSON = new ObjectMapper();

  public StateFormat {
    fields = Map.copyOf(fields);
  }

  /** The format a configuration writes. */
  public static StateFormat of(DedupConfig config) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(LAYOUT, CURRENT_LAYOUT);
    fields.put(DedupConfig.WINDOW_SIZE, config.window().toString());
    fields.put(DedupConfig.ID_STORE, config.idEncoding().configValue());
    fields.put(DedupConfig.ID_SOURCE, config.idSource().configValue());
    if (config.idSource() == IdSource.JSON) {
      fields.put(DedupConfig.ID_JSON_POINTERS, String.join(",", config.idJsonPointers()));
    }
    if (config.idSource() == IdSource.HEADER) {
      fields.put(DedupConfig.ID_HEADER, config.idHeader());
    }
    fields.put(DedupConfig.ID_REPARTITION, Boolean.toString(config.repartitionById()));
    return new StateFormat(fields);
  }

  /** The value of a field, or null. */
  public String get(String key) {
    return fields.get(key);
  }

  /**
   * The first field in which {@code now} differs from this recorded format, as {@code key} with
   * both values, or empty when the state can be used as it is.
   */
  public Optional<String> firstDifference(StateFormat now) {
    for (String key : ORDER) {
      if (!Objects.equals(get(key), now.get(key))) {
        return Optional.of(
            key
                + " is "
                + shown(now.get(key))
                + " but the state was written with "
                + shown(get(key)));
      }
    }
    return Optional.empty();
  }

  private static final String[] ORDER = {
    LAYOUT,
    DedupConfig.WINDOW_SIZE,
    DedupConfig.ID_STORE,
    DedupConfig.ID_SOURCE,
    DedupConfig.ID_JSON_POINTERS,
    DedupConfig.ID_HEADER,
    DedupConfig.ID_REPARTITION
  };

  private static String shown(String value) {
    return value == null ? "(unset)" : "'" + value + "'";
  }

  public byte[] toJson() {
    try {
      Map<String, String> ordered = new LinkedHashMap<>();
      for (String key : ORDER) {
        if (fields.containsKey(key)) {
          ordered.put(key, fields.get(key));
        }
      }
      return JSON.writeValueAsBytes(ordered);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses {@link #toJson()}; throws IllegalArgumentException for anything else. */
  public static StateFormat fromJson(byte[] json) {
    try {
      Map<String, String> fields = JSON.readValue(json, new TypeReference<>() {});
      if (fields == null || !fields.containsKey(LAYOUT)) {
        throw new IllegalArgumentException("not a kafka-dedup state format record");
      }
      return new StateFormat(fields);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not a kafka-dedup state format record: " + e.getMessage());
    }
  }
}
