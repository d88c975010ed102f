package dev.kafkadedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages depend on each other in one direction only, as README says, and each lives in one
 * module.
 */
class PackageCyclesTest {
  private static final List<String> MODULES = List.of("service", "testkit", "tools");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package (dev\\.kafkadedup[\\w.]*);");
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^import (?:static )?(dev\\.kafkadedup(?:\\.[a-z]\\w*)*)\\.[A-Z]");

  @Test
  void shouldHaveNoCycleBetweenPackages() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    assertThat(uses).containsKeys("dev.kafkadedup", "dev.kafkadedup.cli", "dev.kafkadedup.config");
    List<String> cycles = new ArrayList<>();
    for (String start : uses.keySet()) {
      findCycle(start, start, uses, new ArrayList<>(List.of(start)), new HashSet<>(), cycles);
    }
    assertThat(cycles).isEmpty();
  }

  @Test
  void shouldKeepEachPackageInOneModule() throws IOException {
    Map<String, Set<String>> modules = new TreeMap<>();
    for (String module : MODULES) {
      for (Path file : sources(module)) {
        Matcher pkg = PACKAGE.matcher(Files.readString(file));
        if (pkg.find()) {
          modules.computeIfAbsent(pkg.group(1), p -> new TreeSet<>()).add(module);
        }
      }
    }
    assertThat(modules).containsKeys("dev.kafkadedup.cli", "dev.kafkadedup.embedded");
    assertThat(modules).allSatisfy((pkg, in) -> assertThat(in).as(pkg).hasSize(1));
  }

  @Test
  void shouldSeeACycleWhenThereIsOne() {
    Map<String, Set<String>> uses = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
    List<String> cycles = new ArrayList<>();
    findCycle("a", "a", uses, new ArrayList<>(List.of("a")), new HashSet<>(), cycles);
    assertThat(cycles).containsExactly("a -> b -> c -> a");
  }

  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    for (String module : MODULES) {
      for (Path file : sources(module)) {
        String source = Files.readString(file);
        Matcher pkg = PACKAGE.matcher(source);
        if (!pkg.find()) {
          continue;
        }
        Set<String> used = uses.computeIfAbsent(pkg.group(1), p -> new TreeSet<>());
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
          if (!imports.group(1).equals(pkg.group(1))) {
            used.add(imports.group(1));
          }
        }
      }
    }
    return uses;
  }

  private static List<Path> sources(String module) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of(module, "src/main/java"))) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    }
  }

  private static void findCycle(
      String start,
      String at,
      Map<String, Set<String>> uses,
      List<String> path,
      Set<String> seen,
      List<String> cycles) {
    for (String next : uses.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (seen.add(next)) {
        path.add(next);
        findCycle(start, next, uses, path, seen, cycles);
        path.remove(path.size() - 1);
      }
    }
  }
}
