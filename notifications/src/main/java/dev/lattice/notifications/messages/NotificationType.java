package dev.lattice.notifications.messages;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of message notifications sends. The key names the template and the preference type;
 * security messages go by email on the HIGH lane whatever the preferences say.
 */
public enum NotificationType {
  WELCOME("welcome", Priority.LOW, false),
  EMAIL_VERIFICATION("email_verification", Priority.HIGH, true),
  PASSWORD_RESET("password_reset", Priority.HIGH, true),
  ORDER_PAID("order_paid", Priority.NORMAL, false),
  ORDER_CANCELLED("order_cancelled", Priority.NORMAL, false),
  ORDER_SHIPPED("order_shipped", Priority.NORMAL, false),
  ORDER_DELIVERED("order_delivered", Priority.NORMAL, false),
  PAYMENT_REFUNDED("payment_refunded", Priority.NORMAL, false);

  private final String key;
  private final Priority priority;
  private final boolean security;

  NotificationType(String key, Priority priority, boolean security) {
    this.key = key;
    this.priority = priority;
    this.security = security;
  }

  /** The template key and preference type ({@code order_shipped}). */
  public String key() {
    return key;
  }

  /** The dispatcher lane. */
  public Priority priority() {
    return priority;
  }

  /** True for messages a user is waiting for to get into their account. */
  public boolean security() {
    return security;
  }

  /** The type with {@code key}, if any. */
  public static Optional<NotificationType> ofKey(String key) {
    return Arrays.stream(values()).filter(t -> t.key.equals(key)).findFirst();
  }
}
