package dev.lattice.examples.checkout;

import dev.lattice.examples.client.LatticeError;
import io.grpc.StatusRuntimeException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How the checkout checks and reports its steps: a failed check ends the run with {@link
 * CheckFailed}, progress goes to stderr, and summary entries are ordered maps. Stateless.
 */
final class Checks {

  private Checks() {}

  /** Fails the checkout with the formatted message unless {@code condition} holds. */
  static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new CheckFailed(String.format(format, args));
    }
  }

  /** Runs a call that must fail and decodes its error. */
  static LatticeError failure(Supplier<?> call) {
    Object result;
    try {
      result = call.get();
    } catch (StatusRuntimeException e) {
      return LatticeError.of(e);
    }
    throw new CheckFailed("the call succeeded, expected an error: " + result);
  }

  /** One line of progress on stderr. */
  static void log(String format, Object... args) {
    System.err.println(String.format(format, args));
  }

  /** A summary entry: the keys and values in the order given. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** A step did not behave as the contracts say. */
  static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }
}
