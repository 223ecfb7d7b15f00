package dev.lattice.platform.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.platform.errors.InvalidArgumentException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class PageTokensTest {

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private final PageTokens tokens =
      new PageTokens(KEY, Duration.ofHours(24), Clock.fixed(NOW, ZoneOffset.UTC));
  private final String fingerprint =
      PageTokens.fingerprint("tenant-1", "status=PAID", "create_time desc");

  @Test
  void encodeThenDecode_returnsTheSameKeyset() {
    Instant created = Instant.parse("2026-11-20T08:15:30.123456Z");
    PageCursor cursor = PageCursor.of(fingerprint, created, "0193-order-id", 42);

    String token = tokens.encode(cursor);

    assertThat(token).matches("[A-Za-z0-9_-]+");
    PageCursor decoded = tokens.decode(token, fingerprint).orElseThrow();
    assertThat(decoded).isEqualTo(cursor);
    assertThat(decoded.instant(0)).isEqualTo(created);
    assertThat(decoded.string(1)).isEqualTo("0193-order-id");
    assertThat(decoded.longValue(2)).isEqualTo(42L);
  }

  @Test
  void emptyToken_meansFirstPage() {
    assertThat(tokens.decode("", fingerprint)).isEmpty();
    assertThat(tokens.decode(null, fingerprint)).isEmpty();
  }

  @Test
  void tamperedToken_isRejected() {
    String token = tokens.encode(PageCursor.of(fingerprint, "a", 1L));
    for (int i = 0; i < token.length(); i++) {
      char replacement = token.charAt(i) == 'A' ? 'B' : 'A';
      String tampered = token.substring(0, i) + replacement + token.substring(i + 1);
      if (!sameBytes(tampered, token)) {
        assertInvalidPageToken(() -> tokens.decode(tampered, fingerprint));
      }
    }
  }

  @Test
  void truncatedOrGarbageToken_isRejected() {
    String token = tokens.encode(PageCursor.of(fingerprint, "a"));

    assertInvalidPageToken(
        () -> tokens.decode(token.substring(0, token.length() - 3), fingerprint));
    assertInvalidPageToken(() -> tokens.decode(token.substring(0, 10), fingerprint));
    assertInvalidPageToken(() -> tokens.decode("not a token!", fingerprint));
    assertInvalidPageToken(() -> tokens.decode(token + "AAAA", fingerprint));
  }

  @Test
  void tokenOfAnotherQuery_isRejected() {
    String token = tokens.encode(PageCursor.of(fingerprint, "a"));
    String otherFilter = PageTokens.fingerprint("tenant-1", "status=CANCELLED", "create_time desc");
    String otherTenant = PageTokens.fingerprint("tenant-2", "status=PAID", "create_time desc");

    assertInvalidPageToken(() -> tokens.decode(token, otherFilter));
    assertInvalidPageToken(() -> tokens.decode(token, otherTenant));
  }

  @Test
  void tokenSignedWithAnotherKey_isRejected() {
    PageTokens other = PageTokens.withRandomKey(Duration.ofHours(1));
    String token = other.encode(PageCursor.of(fingerprint, "a"));

    assertInvalidPageToken(() -> tokens.decode(token, fingerprint));
  }

  @Test
  void expiredToken_isRejected() {
    String token = tokens.encode(PageCursor.of(fingerprint, "a"));
    PageTokens dayLater =
        new PageTokens(
            KEY, Duration.ofHours(24), Clock.fixed(NOW.plus(Duration.ofHours(25)), ZoneOffset.UTC));

    assertInvalidPageToken(() -> dayLater.decode(token, fingerprint));
  }

  @Test
  void fingerprint_dependsOnEveryPartAndItsBoundaries() {
    assertThat(PageTokens.fingerprint("ab", "c")).isNotEqualTo(PageTokens.fingerprint("a", "bc"));
    assertThat(PageTokens.fingerprint("a", null)).isNotEqualTo(PageTokens.fingerprint("a", ""));
    assertThat(PageTokens.fingerprint("a", 1)).isEqualTo(PageTokens.fingerprint("a", "1"));
  }

  @Test
  void fromEnv_requiresALongEnoughBase64Key() {
    String key = Base64.getEncoder().encodeToString(KEY);
    PageTokens configured = PageTokens.fromEnv(Env.of(Map.of("LATTICE_PAGE_TOKEN_KEY", key)));
    String token = configured.encode(PageCursor.of(fingerprint, "a"));
    assertThat(tokens.decode(token, fingerprint)).isPresent();

    assertThatThrownBy(
            () -> PageTokens.fromEnv(Env.of(Map.of("LATTICE_PAGE_TOKEN_KEY", "c2hvcnQ="))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_PAGE_TOKEN_KEY");
    assertThatThrownBy(() -> PageTokens.fromEnv(Env.of(Map.of("LATTICE_PAGE_TOKEN_KEY", "%%%"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_PAGE_TOKEN_KEY");
  }

  @Test
  void pageSize_defaultsCoercesAndRejectsNegative() {
    assertThat(PageSize.resolve(0)).isEqualTo(20);
    assertThat(PageSize.resolve(1)).isEqualTo(1);
    assertThat(PageSize.resolve(100)).isEqualTo(100);
    assertThat(PageSize.resolve(101)).isEqualTo(100);
    assertThat(PageSize.resolve(Integer.MAX_VALUE)).isEqualTo(100);
    assertThatThrownBy(() -> PageSize.resolve(-1))
        .isInstanceOfSatisfying(
            InvalidArgumentException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("INVALID_ARGUMENT");
              assertThat(e.fieldViolations())
                  .extracting(FieldViolation::field)
                  .containsExactly("page_size");
            });
  }

  /** True when both decode to the same bytes (a change in the unused low bits of the last char). */
  private static boolean sameBytes(String a, String b) {
    try {
      return Arrays.equals(Base64.getUrlDecoder().decode(a), Base64.getUrlDecoder().decode(b));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void assertInvalidPageToken(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InvalidArgumentException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(PageTokens.PAGE_TOKEN_INVALID);
              assertThat(e.fieldViolations())
                  .extracting(FieldViolation::field)
                  .containsExactly("page_token");
            });
  }
}
