package dev.kafkadedup.embedded;

import dev.kafkadedup.kafka.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * A real single-node Kafka KRaft cluster (combined broker + controller) for the demo, benchmarks
 * and tests, started from Kafka's own broker classes. It runs either inside this JVM or as a
 * separate OS process that crash tests can {@link #kill()}, {@link #stop()} and {@link #restart()}
 * on the same log dirs and ports. Both listeners bind to 127.0.0.1 only.
 *
 * <p>Started with {@link Security}, it also serves SASL_SSL (SCRAM-SHA-512, users added with {@link
 * #addScramUser}) and SSL with client certificates required (mTLS), and authorizes every request
 * with Kafka's {@code StandardAuthorizer}. The PLAINTEXT listener then stays for the controller,
 * the broker itself and test set-up: its anonymous principal is the super user.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final boolean deleteDataDirOnClose;
  private final boolean childProcess;
  private final int brokerPort;
  private final int saslSslPort;
  private final int sslPort;
  private final Properties brokerConfig;

  private KafkaRaftServer server; // in-process mode, null when stopped
  private Process process; // child-process mode, null before the first start
  private boolean closed;

  /**
   * The broker's TLS identity: a PKCS12 keystore with its key and a certificate valid for
   * 127.0.0.1, and a PKCS12 truststore with the CA that signs the client certificates it accepts.
   */
  public record Security(
      Path keystore, String keystorePassword, Path truststore, String truststorePassword) {}

  private EmbeddedKafkaBroker(
      Path dataDir, boolean deleteDataDirOnClose, boolean childProcess, Security security) {
    this.dataDir = dataDir.toAbsolutePath();
    this.deleteDataDirOnClose = deleteDataDirOnClose;
    this.childProcess = childProcess;
    this.brokerPort = freeLoopbackPort(Set.of());
    int controllerPort = freeLoopbackPort(Set.of(brokerPort));
    this.brokerConfig = brokerConfig(this.dataDir, brokerPort, controllerPort);
    if (security == null) {
      this.saslSslPort = -1;
      this.sslPort = -1;
    } else {
      this.saslSslPort = freeLoopbackPort(Set.of(brokerPort, controllerPort));
      this.sslPort = freeLoopbackPort(Set.of(brokerPort, controllerPort, saslSslPort));
      addSecureListeners(brokerConfig, security, saslSslPort, sslPort);
    }
  }

  /** Starts a broker inside this JVM on a fresh temp dir that {@link #close()} deletes. */
  public static EmbeddedKafkaBroker startInProcess() {
    return start(tempDir(), true, false, null);
  }

  /**
   * Starts a broker inside this JVM on a fresh temp dir, with SASL_SSL and mTLS listeners and the
   * {@code StandardAuthorizer} (see the class comment).
   */
  public static EmbeddedKafkaBroker startInProcess(Security security) {
    return start(tempDir(), true, false, security);
  }

  /** Starts a broker inside this JVM on {@code dataDir} (formatted if empty, kept on close). */
  public static EmbeddedKafkaBroker startInProcess(Path dataDir) {
    return start(dataDir, false, false, null);
  }

  /** Starts a broker as a child JVM on a fresh temp dir that {@link #close()} deletes. */
  public static EmbeddedKafkaBroker startChildProcess() {
    return start(tempDir(), true, true, null);
  }

  /**
   * Starts a broker as a child JVM on {@code dataDir} (kept on close); its output goes to {@code
   * dataDir/broker.log}.
   */
  public static EmbeddedKafkaBroker startChildProcess(Path dataDir) {
    return start(dataDir, false, true, null);
  }

  private static EmbeddedKafkaBroker start(
      Path dataDir, boolean owned, boolean childProcess, Security security) {
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, owned, childProcess, security);
    try {
      broker.formatStorage();
      broker.launch();
      return broker;
    } catch (RuntimeException e) {
      try {
        broker.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The bootstrap servers of the client listener, e.g. {@code 127.0.0.1:23456}. */
  public String bootstrapServers() {
    return HOST + ":" + brokerPort;
  }

  /** The bootstrap servers of the SASL_SSL listener (SCRAM-SHA-512); needs {@link Security}. */
  public String saslSslBootstrapServers() {
    return HOST + ":" + securePort(saslSslPort);
  }

  /** The bootstrap servers of the SSL listener that requires a client certificate. */
  public String sslBootstrapServers() {
    return HOST + ":" + securePort(sslPort);
  }

  private int securePort(int port) {
    if (port < 0) {
      throw new IllegalStateException("Broker started without Security has no secure listeners");
    }
    return port;
  }

  /** Creates or replaces a SCRAM-SHA-512 user for the SASL_SSL listener. */
  public void addScramUser(String user, String password) {
    var credential =
        new UserScramCredentialUpsertion(
            user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password);
    try (Admin admin = admin()) {
      admin
          .alterUserScramCredentials(List.of(credential))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not add SCRAM user " + user, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while adding SCRAM user " + user, e);
    }
  }

  /** The directory holding the config, the Kafka log dirs and (child mode) {@code broker.log}. */
  public Path dataDir() {
    return dataDir;
  }

  public synchronized boolean isRunning() {
    return childProcess ? process != null && process.isAlive() : server != null;
  }

  /**
   * Creates the topics (replication factor 1) and waits until the broker serves every partition, so
   * that a producer can write to them straight away. Topics that already exist are left as they
   * are.
   */
  public void createTopics(int partitions, String... names) {
    try (Admin admin = admin()) {
      Topics.create(
          admin,
          Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList(),
          ADMIN_TIMEOUT);
    }
  }

  /** Gracefully stops the broker (SIGTERM for a child process) and waits until it is down. */
  public synchronized void stop() {
    if (childProcess) {
      if (process != null) {
        process.destroy(); // SIGTERM: kafka.Kafka's shutdown hook stops the broker cleanly
        if (!waitFor(process, SHUTDOWN_TIMEOUT)) {
          waitFor(process.destroyForcibly(), SHUTDOWN_TIMEOUT);
          throw new IllegalStateException(
              "Kafka broker did not stop within " + SHUTDOWN_TIMEOUT + " and was killed");
        }
      }
    } else if (server != null) {
      KafkaRaftServer running = server;
      server = null;
      running.shutdown();
      running.awaitShutdown();
    }
  }

  /** Kills the child-process broker with SIGKILL (no clean shutdown) and waits until it is gone. */
  public synchronized void kill() {
    if (!childProcess) {
      throw new UnsupportedOperationException("kill() needs a broker from startChildProcess()");
    }
    if (process != null) {
      process.destroyForcibly();
      waitFor(process, SHUTDOWN_TIMEOUT);
    }
  }

  /** Stops the broker if it runs, then starts it again on the same log dirs and ports. */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("Broker is closed");
    }
    stop();
    launch();
  }

  /** Stops the broker and deletes the data dir if it is a temp dir created here. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      if (deleteDataDirOnClose) {
        deleteRecursively(dataDir);
      }
    }
  }

  private static Properties brokerConfig(Path dataDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir(dataDir).toString());
    // Single node: every internal topic must be satisfiable with one replica.
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer coordinator partitions (default 50) make the first group join / initTransactions fast.
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.num.partitions", "5");
    // After a SIGKILL the restarted controller still holds the old broker registration and rejects
    // the new one until that session expires (default 9 s), so keep the session short.
    p.put("broker.session.timeout.ms", "3000");
    p.put("broker.heartbeat.interval.ms", "500");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    // The log cleaner allocates this buffer up front (default 128 MiB); compaction here is tiny.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    return p;
  }

  private static void addSecureListeners(
      Properties p, Security security, int saslSslPort, int sslPort) {
    String secure = ",SASL_SSL://" + HOST + ":" + saslSslPort + ",SSL://" + HOST + ":" + sslPort;
    p.put("listeners", p.getProperty("listeners") + secure);
    p.put("advertised.listeners", p.getProperty("advertised.listeners") + secure);
    p.put(
        "listener.security.protocol.map",
        p.getProperty("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL,SSL:SSL");
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("listener.name.ssl.ssl.client.auth", "required");
    // a client certificate's principal is its CN, as a user name in an ACL
    p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)(,.*)?$/$1/,DEFAULT");
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", security.keystore().toAbsolutePath().toString());
    p.put("ssl.keystore.password", security.keystorePassword());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", security.truststore().toAbsolutePath().toString());
    p.put("ssl.truststore.password", security.truststorePassword());
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // the controller, the broker itself and test set-up connect over PLAINTEXT, anonymously
    p.put("super.users", "User:ANONYMOUS");
  }

  private static Path logDir(Path dataDir) {
    return dataDir.resolve("kafka-logs");
  }

  /** Writes server.properties and formats the log dir for KRaft unless that was done before. */
  private void formatStorage() {
    Path configFile = dataDir.resolve("server.properties");
    try {
      Files.createDirectories(dataDir);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        brokerConfig.store(out, "embedded single-node Kafka KRaft broker");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + configFile, e);
    }
    if (Files.exists(logDir(dataDir).resolve("meta.properties"))) {
      return; // formatted by an earlier broker on this dir; keep its cluster id
    }
    String[] args = {
      "format", "--config", configFile.toString(), "--cluster-id", Uuid.randomUuid().toString()
    };
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exitCode;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode = StorageTool.execute(args, out);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Could not format Kafka storage in " + dataDir, e);
    }
    if (exitCode != 0) {
      throw new IllegalStateException(
          "Could not format Kafka storage in "
              + dataDir
              + ": "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  private void launch() {
    long startNanos = System.nanoTime();
    if (childProcess) {
      process = BrokerProcessMain.launch(dataDir, dataDir.resolve("server.properties"));
    } else {
      KafkaRaftServer raftServer = new KafkaRaftServer(new KafkaConfig(brokerConfig), Time.SYSTEM);
      try {
        raftServer.startup();
      } catch (RuntimeException e) {
        raftServer.shutdown();
        throw new IllegalStateException("Kafka broker failed to start in " + dataDir, e);
      }
      server = raftServer;
    }
    awaitReady(startNanos + STARTUP_TIMEOUT.toNanos());
  }

  /** Waits until the client listener accepts connections and the broker serves metadata. */
  private void awaitReady(long deadlineNanos) {
    // Probe the port first: an Admin polling a closed port would log a WARN per reconnect attempt.
    while (!portAccepts()) {
      checkAlive(deadlineNanos);
      sleep(50);
    }
    try (Admin admin = admin()) {
      while (true) {
        checkAlive(deadlineNanos);
        try {
          var options = new DescribeClusterOptions().timeoutMs(2_000);
          if (!admin.describeCluster(options).nodes().get().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          // not ready yet, retry until the deadline
        }
        sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
    }
  }

  private void checkAlive(long deadlineNanos) {
    if (childProcess && !process.isAlive()) {
      throw new IllegalStateException(
          "Kafka broker process exited with code "
              + process.exitValue()
              + " during startup; see "
              + BrokerProcessMain.logFile(dataDir));
    }
    if (System.nanoTime() > deadlineNanos) {
      throw new IllegalStateException(
          "Kafka broker at "
              + bootstrapServers()
              + " was not ready within "
              + STARTUP_TIMEOUT
              + (childProcess ? "; see " + BrokerProcessMain.logFile(dataDir) : ""));
    }
  }

  private boolean portAccepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, brokerPort), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether every partition has a leader and that leader answers ListOffsets for it. */
  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.CLIENT_ID_CONFIG,
            "embedded-kafka-broker-admin"));
  }

  /**
   * Picks a free port on 127.0.0.1, preferably below the OS ephemeral range (Linux 32768+, macOS
   * 49152+): while a child broker is down, clients keep reconnecting from ephemeral ports, and one
   * of them must never occupy (or self-connect to) the fixed port the broker restarts on.
   */
  private static int freeLoopbackPort(Set<Integer> exclude) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      if (!exclude.contains(port) && canBind(port)) {
        return port;
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(HOST, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean waitFor(Process process, Duration timeout) {
    try {
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (exited) {
        closeQuietly(process.getOutputStream()); // the child's stdin pipe, see BrokerProcessMain
      }
      return exited;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker to exit", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
    }
  }

  private static void closeQuietly(OutputStream stream) {
    try {
      stream.close();
    } catch (IOException e) {
      // the process is gone; nothing to flush
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("embedded-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a temp dir for Kafka", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + dir, e);
    }
  }
}
