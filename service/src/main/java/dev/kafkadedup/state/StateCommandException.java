package dev.kafkadedup.state;

/**
 * A state command (savepoint, reset) that cannot go on, with a message for the operator: exit code
 * 1, no stack trace.
 */
public final class StateCommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StateCommandException(String message) {
    super(message);
  }
}
