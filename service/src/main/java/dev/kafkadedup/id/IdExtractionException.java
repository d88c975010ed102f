package dev.kafkadedup.id;

/**
 * A record whose ID cannot be extracted. Expected for malformed input, so it carries no stack
 * trace: the record goes to the dead-letter topic with {@link #reason()} and the message as
 * headers.
 */
public final class IdExtractionException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why extraction failed; written to the dead-letter header {@code dedup.error.reason}. */
  public enum Reason {
    NULL_KEY,
    NULL_VALUE,
    INVALID_JSON,
    MISSING_FIELD,
    NOT_A_SCALAR,
    MISSING_HEADER,
    EMPTY_ID,
    /** A key on a JSON Pointer's path occurs twice in one object: which value is the ID? */
    DUPLICATE_FIELD
  }

  private final Reason reason;

  public IdExtractionException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
