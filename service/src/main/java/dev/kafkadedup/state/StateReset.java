package dev.kafkadedup.state;

import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.kafka.KafkaClients;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Starts an application from scratch, as Kafka's {@code kafka-streams-application-reset} does: its
 * group (and with it the committed offsets), its internal topics (changelog, repartition, state
 * format) and this machine's local state directory. Other instances' local state (other machines,
 * persistent volumes) is removed on their own start: it is newer than the changelog that is gone,
 * so Kafka Streams wipes it.
 */
public final class StateReset {
  private final DedupConfig config;
  private final PrintStream out;

  public StateReset(DedupConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Prints what a reset removes, and removes it unless {@code dryRun}. */
  public void reset(boolean dryRun) {
    String application = config.applicationId();
    Path localState =
        Path.of(
                String.valueOf(
                    config
                        .streamsProperties()
                        .getOrDefault(StreamsConfig.STATE_DIR_CONFIG, defaultStateDir())))
            .resolve(application);
    try (Admin admin = Admin.create(KafkaClients.admin(config))) {
      List<String> topics =
          Cluster.await(admin.listTopics().names(), "list topics").stream()
              .filter(t -> t.startsWith(application + "-"))
              .filter(
                  t ->
                      t.endsWith("-changelog")
                          || t.endsWith("-repartition")
                          || t.equals(StateFormatGuard.topic(application)))
              .sorted()
              .toList();
      out.printf("%s group     : %s (and its committed offsets)%n", verb(dryRun), application);
      topics.forEach(t -> out.printf("%s topic     : %s%n", verb(dryRun), t));
      out.printf(
          "%s directory : %s%s%n",
          verb(dryRun), localState, Files.exists(localState) ? "" : " (not on this machine)");
      if (dryRun) {
        out.println("dry run: nothing removed; pass --yes to remove it");
        return;
      }
      Cluster.requireStopped(admin, application);
      Cluster.awaitUnless(
          admin.deleteConsumerGroups(List.of(application)).all(),
          "delete group '" + application + "'",
          GroupIdNotFoundException.class);
      if (!topics.isEmpty()) {
        Cluster.await(admin.deleteTopics(topics).all(), "delete topics " + topics);
      }
      if (Files.exists(localState)) {
        Utils.delete(localState.toFile());
      }
      out.printf("reset        : application '%s' starts from scratch%n", application);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + localState, e);
    }
  }

  private static String verb(boolean dryRun) {
    return dryRun ? "would remove" : "removing    ";
  }

  private static String defaultStateDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString();
  }
}
