package dev.lattice.identity.throttle;

import static dev.lattice.identity.store.jooq.Tables.THROTTLES;

import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;

/**
 * The {@code throttles} table: one fixed-window counter per (action, scope, key digest). Each
 * method is one statement, run on whatever {@code ctx} the caller passes. Stateless and
 * thread-safe.
 */
final class ThrottleStore {

  private ThrottleStore() {}

  /** The counter of {@code keyHash} when its window began after {@code windowFloor}. */
  static Optional<ThrottleWindow> findOpen(
      DSLContext ctx,
      ThrottleAction action,
      ThrottleScope scope,
      byte[] keyHash,
      OffsetDateTime windowFloor) {
    Record2<Integer, OffsetDateTime> row =
        ctx.select(THROTTLES.ATTEMPT_COUNT, THROTTLES.WINDOW_START_TIME)
            .from(THROTTLES)
            .where(THROTTLES.ACTION.eq(action.name()))
            .and(THROTTLES.SCOPE.eq(scope.name()))
            .and(THROTTLES.KEY_HASH.eq(keyHash))
            .and(THROTTLES.WINDOW_START_TIME.gt(windowFloor))
            .fetchOne();
    return Optional.ofNullable(row).map(r -> new ThrottleWindow(r.value1(), r.value2()));
  }

  /**
   * Counts one attempt at {@code now}: the first of a new window when the stored one began at or
   * before {@code windowFloor}. Returns the counter after the increment.
   */
  static ThrottleWindow increment(
      DSLContext ctx,
      ThrottleAction action,
      ThrottleScope scope,
      byte[] keyHash,
      OffsetDateTime now,
      OffsetDateTime windowFloor) {
    var expired = THROTTLES.WINDOW_START_TIME.le(windowFloor);
    Record2<Integer, OffsetDateTime> row =
        ctx.insertInto(THROTTLES)
            .set(THROTTLES.ACTION, action.name())
            .set(THROTTLES.SCOPE, scope.name())
            .set(THROTTLES.KEY_HASH, keyHash)
            .set(THROTTLES.ATTEMPT_COUNT, 1)
            .set(THROTTLES.WINDOW_START_TIME, now)
            .set(THROTTLES.LAST_ATTEMPT_TIME, now)
            .onConflict(THROTTLES.ACTION, THROTTLES.SCOPE, THROTTLES.KEY_HASH)
            .doUpdate()
            .set(
                THROTTLES.ATTEMPT_COUNT,
                DSL.when(expired, DSL.inline(1)).otherwise(THROTTLES.ATTEMPT_COUNT.plus(1)))
            .set(
                THROTTLES.WINDOW_START_TIME,
                DSL.when(expired, DSL.val(now)).otherwise(THROTTLES.WINDOW_START_TIME))
            .set(THROTTLES.LAST_ATTEMPT_TIME, now)
            .returningResult(THROTTLES.ATTEMPT_COUNT, THROTTLES.WINDOW_START_TIME)
            .fetchOne();
    return new ThrottleWindow(row.value1(), row.value2());
  }

  /** Deletes the counter of {@code keyHash}. */
  static void delete(DSLContext ctx, ThrottleAction action, ThrottleScope scope, byte[] keyHash) {
    ctx.deleteFrom(THROTTLES)
        .where(THROTTLES.ACTION.eq(action.name()))
        .and(THROTTLES.SCOPE.eq(scope.name()))
        .and(THROTTLES.KEY_HASH.eq(keyHash))
        .execute();
  }

  /** Deletes the counters whose last attempt was before {@code cutoff}; returns how many. */
  static int deleteIdleSince(DSLContext ctx, OffsetDateTime cutoff) {
    return ctx.deleteFrom(THROTTLES).where(THROTTLES.LAST_ATTEMPT_TIME.lt(cutoff)).execute();
  }
}
