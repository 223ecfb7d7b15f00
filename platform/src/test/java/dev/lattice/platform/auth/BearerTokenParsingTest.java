package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BearerTokenParsingTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"Bearer abc.def", "bearer abc.def", "BEARER abc.def", "  Bearer   abc.def  "})
  void aBearerValue_givesItsToken_inAnyCase_withAnySpacing(String value) {
    assertThat(AuthInterceptor.bearerToken(value)).contains("abc.def");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Bearer",
        "Bearer ",
        "Bearerabc.def",
        "Bearer\tabc.def",
        "Bearer a b",
        "Bearer a\tb",
        "Basic dXNlcjpwdw==",
        "abc.def",
        "Bear abc.def"
      })
  void anythingElse_givesNoToken(String value) {
    assertThat(AuthInterceptor.bearerToken(value)).isEmpty();
  }

  @Test
  void outsideAnAuthenticatedCall_thereIsNoCredential() {
    assertThat(AuthInterceptor.credential()).isEmpty();
  }
}
