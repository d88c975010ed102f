package dev.kafkadedup.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads the configuration from one file (YAML, or Java properties for any other extension) and
 * applies environment overrides on top, 12-factor style.
 *
 * <p>An environment variable {@code DEDUP_<KEY>} sets {@code <key>}: upper case becomes lower case
 * and {@code _} becomes {@code .}, so {@code DEDUP_WINDOW_SIZE=P7D} sets {@code window.size} and
 * {@code DEDUP_KAFKA_BOOTSTRAP_SERVERS} sets {@code kafka.bootstrap.servers}. Nested YAML maps
 * flatten to dotted keys; YAML lists become comma-separated values.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "DEDUP_";

  private ConfigLoader() {}

  /** Loads, overrides and validates; throws {@link ConfigException} on any problem. */
  public static DedupConfig load(Path file, Map<String, String> env) {
    Map<String, String> props = new TreeMap<>();
    if (file != null) {
      props.putAll(readFile(file));
    }
    props.putAll(fromEnvironment(env));
    return DedupConfig.from(props);
  }

  /** The configuration keys set by {@code DEDUP_*} variables. */
  public static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> props = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
            props.put(keyForEnv(name), value);
          }
        });
    return props;
  }

  /** {@code DEDUP_WINDOW_SIZE} → {@code window.size}. */
  public static String keyForEnv(String name) {
    return name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** {@code window.size} → {@code DEDUP_WINDOW_SIZE}. */
  public static String envForKey(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString();
    try (Reader reader = Files.newBufferedReader(file)) {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        Map<String, String> props = new TreeMap<>();
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(reader);
        if (root != null && !root.isMissingNode() && !root.isNull()) {
          if (!root.isObject()) {
            throw new ConfigException("config file " + file + ": expected a YAML map of keys");
          }
          flatten("", root, props);
        }
        return props;
      }
      Properties properties = new Properties();
      properties.load(reader);
      Map<String, String> props = new TreeMap<>();
      properties.stringPropertyNames().forEach(k -> props.put(k, properties.getProperty(k).trim()));
      return props;
    } catch (JacksonException e) {
      // only where: the parser's message quotes the offending line, which may hold a password
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new ConfigException("config file " + file + " is not valid YAML" + where);
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> props) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        flatten(
            prefix + field.getKey() + (field.getValue().isObject() ? "." : ""),
            field.getValue(),
            props);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(item.asText()));
      props.put(prefix, String.join(",", items));
    } else {
      props.put(prefix, node.isNull() ? "" : node.asText());
    }
  }
}
