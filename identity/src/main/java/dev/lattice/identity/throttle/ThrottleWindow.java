package dev.lattice.identity.throttle;

import java.time.OffsetDateTime;

/**
 * One counter as stored: the attempts counted in its current window and when that window began.
 * Immutable.
 */
record ThrottleWindow(int count, OffsetDateTime start) {}
