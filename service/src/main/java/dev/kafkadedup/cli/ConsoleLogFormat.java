package dev.kafkadedup.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.kafkadedup.config.DedupConfig.LogFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Where and how the console log goes. Puts it in the configured {@link LogFormat}. logback.xml writes text; json swaps
 * the console appenders' encoder for Logstash's JSON encoder (one object per line with {@code
 * @timestamp}, {@code level}, {@code logger_name}, {@code thread_name}, {@code message} and {@code
 * stack_trace}), keeping logback.xml's levels. Applied before Kafka Streams is created, so every
 * line of the service is in one format.
 */
public final class ConsoleLogFormat {
  private ConsoleLogFormat() {}

  static void apply(LogFormat format) {
    apply((LoggerContext) LoggerFactory.getILoggerFactory(), format);
  }

  static void apply(LoggerContext context, LogFormat format) {
    if (format == LogFormat.TEXT) {
      return;
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        LogstashEncoder json = new LogstashEncoder();
        json.setContext(context);
        json.start();
        console.stop();
        console.setEncoder(json);
        console.start();
      }
    }
  }

  /**
   * Sends what the console would show to {@code file} instead, in the console's own pattern: the
   * demo keeps its terminal for its progress line and summary (Kafka's WARN lines on the same
   * terminal broke the progress line).
   */
  static void toFile(LoggerContext context, Path file) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    List<ConsoleAppender<ILoggingEvent>> consoles = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        consoles.add(console);
      }
    }
    for (ConsoleAppender<ILoggingEvent> console : consoles) {
      FileAppender<ILoggingEvent> appender = new FileAppender<>();
      appender.setContext(context);
      appender.setName(console.getName() + "-file");
      appender.setFile(file.toString());
      appender.setEncoder(sameEncoder(context, console.getEncoder()));
      appender.start();
      root.addAppender(appender);
      root.detachAppender(console);
      console.stop();
    }
  }

  public static void toFile(Path file) {
    toFile((LoggerContext) LoggerFactory.getILoggerFactory(), file);
  }

  private static Encoder<ILoggingEvent> sameEncoder(
      LoggerContext context, Encoder<ILoggingEvent> console) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(
        console instanceof PatternLayoutEncoder pattern
            ? pattern.getPattern()
            : "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
    encoder.start();
    return encoder;
  }
}
