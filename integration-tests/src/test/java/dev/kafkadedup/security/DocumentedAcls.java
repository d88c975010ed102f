package dev.kafkadedup.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * README's ACL table, read as the tests' one source of the ACLs the service needs: one {@link Acl}
 * per operation of each row, with {@code <key>} placeholders for configuration values.
 */
final class DocumentedAcls {
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| (topic|group|transactional-id) \\| `([^`]+)` \\| (literal|prefixed) \\|"
              + " ([A-Z_, ]+) \\|",
          Pattern.MULTILINE);
  private static final Pattern PLACEHOLDER = Pattern.compile("<([a-z.]+)>");

  private DocumentedAcls() {}

  /** One operation on one resource, as documented. */
  record Acl(ResourceType type, String name, PatternType pattern, AclOperation operation) {
    /** The binding for {@code principal}, placeholders filled from the service's config. */
    AclBinding binding(String principal, Map<String, String> config) {
      Matcher m = PLACEHOLDER.matcher(name);
      String resolved =
          m.replaceAll(
              p -> {
                String key = p.group(1);
                String value = config.getOrDefault(key, config.get("kafka." + key));
                if (value == null) {
                  throw new IllegalArgumentException("no value for " + p.group());
                }
                return Matcher.quoteReplacement(value);
              });
      return new AclBinding(
          new ResourcePattern(type, resolved, pattern),
          new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    @Override
    public String toString() {
      return operation + " on " + type.name().toLowerCase(Locale.ROOT) + " " + name;
    }
  }

  static List<Acl> read() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String table =
        readme.substring(
            readme.indexOf("<!-- acl-table:start -->"), readme.indexOf("<!-- acl-table:end -->"));
    List<Acl> acls = new ArrayList<>();
    Matcher row = ROW.matcher(table);
    while (row.find()) {
      ResourceType type =
          ResourceType.fromString(row.group(1).replace('-', '_').toUpperCase(Locale.ROOT));
      PatternType pattern = PatternType.fromString(row.group(3).toUpperCase(Locale.ROOT));
      for (String name : row.group(4).split(",")) {
        AclOperation operation = AclOperation.fromString(name.trim());
        if (type == ResourceType.UNKNOWN || operation == AclOperation.UNKNOWN) {
          throw new IllegalStateException("README's ACL table: unknown " + row.group());
        }
        acls.add(new Acl(type, row.group(2), pattern, operation));
      }
    }
    if (acls.isEmpty()) {
      throw new IllegalStateException("README's ACL table has no rows");
    }
    return acls;
  }
}
