package dev.kafkadedup.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.kafka.common.config.types.Password;

/**
 * The bearer token an endpoint requires. A presented token is compared by its SHA-256 digest in
 * constant time, so neither the token's bytes nor its length can be learnt from response times.
 */
final class BearerToken {
  private static final String SCHEME = "Bearer ";

  private final Password token;
  private final byte[] digest;

  BearerToken(Password token) {
    this.token = token;
    this.digest = sha256(token.value());
  }

  /** Whether an {@code Authorization} header value (null when absent) carries this token. */
  boolean admits(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length())));
  }

  /** The {@code Authorization} header value that carries this token, for proxied requests. */
  String authorization() {
    return SCHEME + token.value();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
