package dev.kafkadedup.tools;

import dev.kafkadedup.cli.Main;
import java.util.List;

/**
 * Entry point of the all-in-one jar, {@code java -jar kafka-dedup.jar <command>}: the service's
 * commands plus {@code demo} and {@code bench}, which bring their own Kafka broker.
 */
public final class ToolsMain {
  private ToolsMain() {}

  public static void main(String[] args) {
    System.exit(Main.execute(List.of(new DemoCommand(), new BenchCommand()), args));
  }
}
