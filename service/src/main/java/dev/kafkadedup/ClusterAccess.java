package dev.kafkadedup;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the cluster lets this service do, checked before Kafka Streams starts: its clients treat
 * rejected credentials as fatal, but only deep inside a stream thread, and an admin call on an
 * unreachable or untrusting cluster would wait for its full timeout. Here both end in one message.
 */
public final class ClusterAccess {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private ClusterAccess() {}

  /**
   * Connects with the service's own client settings and describes the named topics.
   *
   * @throws ConfigException when the cluster cannot be reached, rejects the credentials, or does
   *     not let this principal see an input or output topic
   */
  static void check(DedupConfig config) {
    Object servers = config.streamsProperties().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    try (Admin admin = Admin.create(KafkaClients.admin(config))) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
          .clusterId()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      checkTopicsVisible(admin, config);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException) {
        throw new ConfigException(
            "the Kafka cluster at "
                + servers
                + " rejected this service's credentials ("
                + describe(e.getCause())
                + "): check kafka.security.protocol, kafka.sasl.* and kafka.ssl.*");
      }
      throw unreachable(servers, describe(e.getCause()));
    } catch (TimeoutException e) {
      throw unreachable(servers, "no answer within " + TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while connecting to the Kafka cluster");
    }
  }

  /**
   * The authorization or authentication failure behind {@code error}, or null: such a failure is a
   * missing ACL or credential, worth one log line instead of a stack trace.
   */
  public static Throwable accessDenied(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AuthorizationException || t instanceof AuthenticationException) {
        return t;
      }
    }
    return null;
  }

  /** The one line that reports {@code denied}, as {@link #accessDenied} found it. */
  public static String deniedMessage(Throwable denied) {
    return "Kafka denied access: "
        + denied.getClass().getSimpleName()
        + ": "
        + denied.getMessage()
        + " (see README, Security)";
  }

  private static void checkTopicsVisible(Admin admin, DedupConfig config)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, String> keyByTopic = new LinkedHashMap<>();
    config.inputTopics().forEach(t -> keyByTopic.put(t, DedupConfig.INPUT_TOPICS));
    keyByTopic.put(config.outputTopic(), DedupConfig.OUTPUT_TOPIC);
    config.duplicatesTopic().ifPresent(t -> keyByTopic.put(t, DedupConfig.DUPLICATES_TOPIC));
    keyByTopic.put(config.deadLetterTopic(), DedupConfig.DEAD_LETTER_TOPIC);
    var options = new DescribeTopicsOptions().timeoutMs((int) TIMEOUT.toMillis());
    List<String> denied = new ArrayList<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> topic :
        admin.describeTopics(keyByTopic.keySet(), options).topicNameValues().entrySet()) {
      try {
        topic.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicAuthorizationException) {
          denied.add(keyByTopic.get(topic.getKey()) + " = '" + topic.getKey() + "'");
        } else if (e.getCause() instanceof AuthenticationException) {
          throw e;
        } // a missing topic is reported by the output topic check, which names what to create
      }
    }
    if (!denied.isEmpty()) {
      throw new ConfigException(
          "not authorized to describe topic: "
              + String.join(", ", denied)
              + " (grant this principal READ on input topics and WRITE on output topics; see"
              + " README, Security)");
    }
  }

  private static ConfigException unreachable(Object servers, String reason) {
    return new ConfigException("cannot reach the Kafka cluster at " + servers + ": " + reason);
  }

  /** The exception's class and message, and its root cause's, e.g. the TLS handshake's reason. */
  private static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = error.getClass().getSimpleName() + ": " + error.getMessage();
    return root == error ? text : text + "; caused by " + root.getMessage();
  }
}
