package dev.lattice.platform.events;

import com.google.protobuf.Descriptors.Descriptor;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names of event subjects and streams (decision 0004): an event {@code OrderCreated} of service
 * {@code orders} is published on {@code lattice.orders.order_created} into stream {@code ORDERS},
 * which captures {@code lattice.orders.>}.
 *
 * <p>Service names and event names are lower snake case ({@code [a-z][a-z0-9_]*}), so a subject has
 * exactly three tokens and never contains NATS wildcards. Stateless and thread-safe.
 */
public final class EventSubjects {

  /** The first token of every Lattice event subject. */
  public static final String PREFIX = "lattice";

  private static final Pattern TOKEN = Pattern.compile("[a-z][a-z0-9_]*");

  private EventSubjects() {}

  /**
   * {@code lattice.<service>.<eventName>}.
   *
   * @throws IllegalArgumentException if either name is not lower snake case
   */
  public static String subject(String service, String eventName) {
    return PREFIX + "." + checkToken("service", service) + "." + checkToken("eventName", eventName);
  }

  /** The subject of events of type {@code payload} published by {@code service}. */
  public static String subject(String service, Descriptor payload) {
    return subject(service, eventName(payload));
  }

  /** {@code lattice.<service>.>}: every subject of {@code service}'s stream. */
  public static String streamSubjects(String service) {
    return PREFIX + "." + checkToken("service", service) + ".>";
  }

  /**
   * The snake case of the message's simple name: {@code OrderCreated} → {@code order_created},
   * {@code SigningKeyRotated} → {@code signing_key_rotated}. A run of capitals counts as one word
   * ({@code SMSSent} → {@code sms_sent}); a digit stays with the word before it.
   */
  public static String eventName(Descriptor payload) {
    Objects.requireNonNull(payload, "payload");
    return snakeCase(payload.getName());
  }

  /** The stream of {@code service}: its name in upper case, e.g. {@code ORDERS}. */
  public static String streamName(String service) {
    return checkToken("service", service).toUpperCase(Locale.ROOT);
  }

  static String snakeCase(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 8);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        boolean afterLowerOrDigit =
            i > 0
                && (Character.isLowerCase(camel.charAt(i - 1))
                    || Character.isDigit(camel.charAt(i - 1)));
        boolean endsAcronym =
            i > 0
                && Character.isUpperCase(camel.charAt(i - 1))
                && i + 1 < camel.length()
                && Character.isLowerCase(camel.charAt(i + 1));
        if (afterLowerOrDigit || endsAcronym) {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String checkToken(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be lower snake case: '" + value + "'");
    }
    return value;
  }
}
