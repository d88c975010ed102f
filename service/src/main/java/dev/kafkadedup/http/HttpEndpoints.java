package dev.kafkadedup.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.metrics.DedupMetrics;
import dev.kafkadedup.metrics.RestoreProgress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP server (the JDK's own): {@code GET /metrics} (Prometheus text), {@code
 * /health/live}, {@code /health/ready} (see {@link Health}) and {@code /ids/{id}} (see {@link
 * IdQuery}). Responses are built from metrics and Kafka Streams state only, never from the
 * configuration, so no secret can leak through them. {@code /ids/{id}} exposes where records were
 * seen: it can be switched off ({@code http.ids.enabled}) or require a bearer token ({@code
 * http.ids.token}); {@code /metrics} and the health checks stay open for probes and scrapers.
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";
  private static final String IDS = "/ids/";

  private final HttpServer server;
  private final ExecutorService executor;
  private boolean closed;

  private HttpEndpoints(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code http.host:http.port} and starts serving.
   *
   * @throws ConfigException naming {@code http.port} when the address cannot be bound
   */
  public static HttpEndpoints start(
      DedupConfig config, KafkaStreams streams, DedupMetrics metrics) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.httpHost(), config.httpPort()), 0);
    } catch (IOException e) {
      throw new ConfigException(
          DedupConfig.HTTP_PORT,
          config.httpPort(),
          "cannot listen on "
              + config.httpHost()
              + ":"
              + config.httpPort()
              + ": "
              + e.getMessage());
    }
    RestoreProgress restore = metrics.restoreProgress();
    server.createContext(
        "/metrics", exact("/metrics", ex -> send(ex, 200, PROMETHEUS_TEXT, metrics.scrape())));
    server.createContext(
        "/health/live",
        exact(
            "/health/live",
            ex -> send(ex, Health.liveness(streams.state(), metrics.aliveStreamThreads()))));
    server.createContext(
        "/health/ready",
        exact(
            "/health/ready",
            ex ->
                send(
                    ex,
                    Health.readiness(
                        streams.state(),
                        restore.restoringPartitions(),
                        restore.remainingRecords()))));
    if (config.httpIdsEnabled()) {
      BearerToken token = config.httpIdsToken().map(BearerToken::new).orElse(null);
      IdQuery ids = new IdQuery(streams, config, token);
      server.createContext(
          IDS,
          get(
              ex -> {
                // checked first, also for a proxied request: the header that marks one is no proof
                if (token != null
                    && !token.admits(ex.getRequestHeaders().getFirst("Authorization"))) {
                  ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"kafka-dedup\"");
                  send(ex, 401, TEXT, "unauthorized: GET /ids/{id} needs a bearer token\n");
                  return;
                }
                String id = ex.getRequestURI().getPath().substring(IDS.length());
                if (id.isEmpty()) {
                  send(ex, 404, TEXT, "usage: GET /ids/{id}\n");
                  return;
                }
                boolean forwarded = ex.getRequestHeaders().containsKey(IdQuery.FORWARDED_HEADER);
                IdQuery.Answer answer = ids.answer(id, forwarded);
                send(ex, answer.status(), JSON, answer.body());
              }));
    }
    server.createContext("/", get(ex -> send(ex, 404, TEXT, "not found\n")));
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread thread = new Thread(r, "kafka-dedup-http");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.start();
    LOG.info("HTTP server on {}:{}", config.httpHost(), server.getAddress().getPort());
    return new HttpEndpoints(server, executor);
  }

  /** The bound port (the chosen one when {@code http.port=0}). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving; safe to call again (the shutdown hook and the main thread both close). */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      server.stop(0);
      executor.shutdownNow();
    }
  }

  /** Serves only {@code path} itself: a context also matches every path it prefixes. */
  private static HttpHandler exact(String path, HttpHandler handler) {
    return get(
        ex -> {
          if (ex.getRequestURI().getPath().equals(path)) {
            handler.handle(ex);
          } else {
            send(ex, 404, TEXT, "not found\n");
          }
        });
  }

  private static HttpHandler get(HttpHandler handler) {
    return ex -> {
      try {
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
          ex.getResponseHeaders().set("Allow", "GET, HEAD");
          send(ex, 405, TEXT, "method not allowed\n");
        } else {
          handler.handle(ex);
        }
      } catch (RuntimeException e) {
        LOG.warn("HTTP {} failed", ex.getRequestURI().getPath(), e);
        send(ex, 500, TEXT, "internal error: " + e.getClass().getSimpleName() + "\n");
      } finally {
        ex.close();
      }
    };
  }

  private static void send(HttpExchange ex, Health.Verdict verdict) throws IOException {
    send(ex, verdict.status(), TEXT, verdict.body());
  }

  private static void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
