package dev.lattice.audit.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Recognizes IP address literals without DNS. Stateless. */
final class IpLiterals {

  private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");

  private IpLiterals() {}

  /** True when {@code text} is an IPv4 or IPv6 address literal. */
  static boolean isIpLiteral(String text) {
    if (text == null
        || !LITERAL.matcher(text).matches()
        || !(text.contains(":") || text.chars().filter(c -> c == '.').count() == 3)) {
      return false;
    }
    try {
      // A literal (checked above): getByName parses it without a DNS query.
      InetAddress.getByName(text);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
