package dev.kafkadedup.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BearerTokenTest {
  private static final String TOKEN = "0123456789abcdef-token";
  private final BearerToken token = new BearerToken(new Password(TOKEN));

  @ParameterizedTest
  @ValueSource(strings = {"Bearer " + TOKEN, "bearer " + TOKEN, "BEARER " + TOKEN})
  void shouldAdmitTheTokenWithAnyCaseOfTheScheme(String header) {
    assertThat(token.admits(header)).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        TOKEN,
        "Bearer",
        "Bearer ",
        "Bearer " + TOKEN + "x",
        "Bearer " + TOKEN + " ",
        "Bearer  " + TOKEN,
        "Bearer 0123456789abcdef-toke",
        "Basic " + TOKEN,
        "Bearer 0123456789ABCDEF-TOKEN"
      })
  void shouldRejectAnythingElse(String header) {
    assertThat(token.admits(header)).isFalse();
  }

  @Test
  void shouldProxyWithTheHeaderItAdmits() {
    assertThat(token.admits(token.authorization())).isTrue();
  }
}
