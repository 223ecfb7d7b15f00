package dev.lattice.chaos;

/**
 * One fault as it happened, for the report.
 *
 * @param kind what was done (e.g. {@code kill -9 replica})
 * @param target what it was done to (e.g. {@code inventory-2})
 * @param startSeconds when it began, in seconds since the load started
 * @param endSeconds when the fault itself was over (the process killed, the server started again)
 * @param recoverySeconds from {@code endSeconds} until the mesh was whole again ({@link
 *     FaultInjector} says what that means for each kind); negative when it never was within the
 *     patience of the run
 */
record FaultRecord(
    String kind, String target, double startSeconds, double endSeconds, double recoverySeconds) {

  boolean recovered() {
    return recoverySeconds >= 0;
  }
}
