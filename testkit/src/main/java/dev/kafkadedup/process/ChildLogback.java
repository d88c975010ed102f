package dev.kafkadedup.process;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The logback configuration of a child JVM (a broker or a service started as a process): one line
 * per event on its console, INFO unless a logger is given another level.
 */
public final class ChildLogback {
  private ChildLogback() {}

  /** The configuration with {@code levels} (logger name to level) over INFO. */
  public static String xml(Map<String, String> levels) {
    String loggers =
        levels.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> "  <logger name=\"" + e.getKey() + "\" level=\"" + e.getValue() + "\"/>\n")
            .collect(Collectors.joining());
    return """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
          </appender>
        """
        + loggers
        + """
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """;
  }
}
