package dev.kafkadedup.embedded;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process {@link EmbeddedKafkaBroker} shared by the tests of a class:
 * {@code @RegisterExtension static final BrokerExtension broker = new BrokerExtension();}
 */
public final class BrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedKafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = EmbeddedKafkaBroker.startInProcess();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    broker.close();
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public void createTopics(int partitions, String... names) {
    broker.createTopics(partitions, names);
  }
}
