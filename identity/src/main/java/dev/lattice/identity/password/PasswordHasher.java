package dev.lattice.identity.password;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Argon2id password hashes in PHC string form ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}),
 * so the parameters travel with each hash and a stronger policy can be applied at the next sign-in
 * ({@link #needsRehash}).
 *
 * <p>Each hash holds {@code memoryKib} of memory for its duration; hashes are computed on a fixed
 * pool of {@code concurrency} platform threads, so a burst of sign-ins on virtual threads queues
 * for a core instead of allocating a gigabyte. Waiting callers park, and the CPU-bound hashing
 * never occupies the carrier threads of the virtual-thread scheduler: with as many hashes at once
 * as cores, hashing on the carriers starved every other call (a transaction holding a row lock and
 * a pooled connection could not run to its commit).
 */
public final class PasswordHasher {

  /** OWASP's Argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
  public static final HashPolicy OWASP_MINIMUM = new HashPolicy(19_456, 2, 1);

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  private final HashPolicy policy;
  private final Argon2Function function;
  private final ExecutorService workers;
  private final String timingReferenceHash;

  /**
   * @param policy the parameters new hashes get
   * @param concurrency how many hashes may be computed at once
   */
  public PasswordHasher(HashPolicy policy, int concurrency) {
    this.policy = policy;
    this.function =
        Argon2Function.getInstance(
            policy.memoryKib(),
            policy.iterations(),
            policy.parallelism(),
            HASH_BYTES,
            Argon2.ID,
            Argon2Function.ARGON2_VERSION_13);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().daemon().name("argon2-", 0).factory());
    pool.allowCoreThreadTimeOut(true);
    this.workers = pool;
    this.timingReferenceHash = hash("lattice-timing-reference-password");
  }

  /** Argon2id parameters: memory in KiB, iterations, lanes. */
  public record HashPolicy(int memoryKib, int iterations, int parallelism) {}

  /** A new hash of {@code password} with a fresh random salt under the current policy. */
  public String hash(CharSequence password) {
    return bounded(
        () ->
            com.password4j.Password.hash(password)
                .addRandomSalt(SALT_BYTES)
                .with(function)
                .getResult());
  }

  /**
   * Whether {@code password} matches {@code storedHash}; a null or unparsable hash never matches
   * but costs the same as a real check (see {@link #burn}).
   */
  public boolean matches(CharSequence password, String storedHash) {
    if (storedHash == null || !storedHash.startsWith("$argon2")) {
      burn(password);
      return false;
    }
    Argon2Function stored;
    try {
      stored = Argon2Function.getInstanceFromHash(storedHash);
    } catch (RuntimeException e) {
      burn(password);
      return false;
    }
    return bounded(() -> stored.check(password, storedHash));
  }

  /**
   * Spends the time of one verification without a real hash, so that an unknown account answers as
   * slowly as a wrong password.
   */
  public void burn(CharSequence password) {
    bounded(() -> function.check(password, timingReferenceHash));
  }

  /** Whether {@code storedHash} was made with weaker parameters than the current policy. */
  public boolean needsRehash(String storedHash) {
    Argon2Function stored;
    try {
      stored = Argon2Function.getInstanceFromHash(storedHash);
    } catch (RuntimeException e) {
      return true;
    }
    return stored.getVariant() != Argon2.ID
        || stored.getMemory() < policy.memoryKib()
        || stored.getIterations() < policy.iterations()
        || stored.getParallelism() < policy.parallelism()
        || stored.getVersion() < Argon2Function.ARGON2_VERSION_13;
  }

  /** The parameters of a stored hash, for tests and operators. */
  public static HashPolicy parametersOf(String storedHash) {
    Argon2Function stored = Argon2Function.getInstanceFromHash(storedHash);
    return new HashPolicy(stored.getMemory(), stored.getIterations(), stored.getParallelism());
  }

  private <T> T bounded(java.util.function.Supplier<T> work) {
    Future<T> result = workers.submit(work::get);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
