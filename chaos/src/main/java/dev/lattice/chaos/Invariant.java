package dev.lattice.chaos;

/**
 * One promise checked after the faults, with its figure and its target.
 *
 * @param key the report's key ({@code lost_orders}, ...)
 * @param what what it counts, for a person
 * @param figure what the run measured
 * @param target what it must be (every target here is an exact value)
 */
record Invariant(String key, String what, long figure, long target) {

  boolean met() {
    return figure == target;
  }
}
