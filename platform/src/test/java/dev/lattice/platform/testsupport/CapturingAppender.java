package dev.lattice.platform.testsupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every log event in memory so tests can assert on what was logged. */
public final class CapturingAppender extends AppenderBase<ILoggingEvent> {

  private static final List<ILoggingEvent> EVENTS = new CopyOnWriteArrayList<>();

  /** Every event so far, oldest first. */
  public static List<ILoggingEvent> events() {
    return List.copyOf(EVENTS);
  }

  /** Forgets the events so far. */
  public static void clear() {
    EVENTS.clear();
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    // The MDC appender hands over a wrapper; keep what matters while it is still valid.
    EVENTS.add(event);
  }
}
