package dev.lattice.bench.ceiling;

/**
 * What one pgbench process reported.
 *
 * @param script the script's file name, e.g. {@code create_order_orders.sql}
 * @param database the database it ran against
 * @param clients pgbench clients (connections), each running the script back to back
 * @param tps transactions (script runs) per second, without the initial connection time
 * @param meanLatencyMillis pgbench's "latency average": the mean time of one script run, in ms
 * @param transactions script runs completed
 */
public record PgbenchOutcome(
    String script,
    String database,
    int clients,
    double tps,
    double meanLatencyMillis,
    long transactions) {}
