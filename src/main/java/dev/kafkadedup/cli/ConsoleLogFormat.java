package dev.kafkadedup.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import dev.kafkadedup.config.DedupConfig.LogFormat;
import java.util.Iterator;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Puts the console log in the configured {@link LogFormat}. logback.xml writes text; json swaps
 * the console appenders' encoder for Logstash's JSON encoder (one object per line with {@code
 * @timestamp}, {@code level}, {@code logger_name}, {@code thread_name}, {@code message} and {@code
 * stack_trace}), keeping logback.xml's levels. Applied before Kafka Streams is created, so every
 * line of the service is in one format.
 */
final class ConsoleLogFormat {
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
}
