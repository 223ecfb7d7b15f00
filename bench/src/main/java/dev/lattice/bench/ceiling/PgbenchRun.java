package dev.lattice.bench.ceiling;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code pgbench} process: a script against one database at a fixed number of clients for a
 * fixed time, in prepared mode ({@code -M prepared}: the services' pgjdbc prepares a statement on
 * the server from its fifth use on, so prepared is their steady state), without pgbench's own
 * vacuum ({@code -n}), with as many pgbench threads as clients up to the machine's cores. Start it
 * with {@link #start()}, then {@link #await()} its outcome, so that two runs can overlap.
 *
 * <p>Not thread-safe; one run is started once.
 */
final class PgbenchRun {
  private static final Pattern TPS =
      Pattern.compile("^tps = ([0-9.]+) \\(without initial connection time\\)", Pattern.MULTILINE);
  private static final Pattern LATENCY =
      Pattern.compile("^latency average = ([0-9.]+) ms", Pattern.MULTILINE);
  private static final Pattern PROCESSED =
      Pattern.compile("^number of transactions actually processed: (\\d+)", Pattern.MULTILINE);
  private static final Pattern FAILED =
      Pattern.compile("^number of failed transactions: (\\d+)", Pattern.MULTILINE);

  private final Path pgbench;
  private final Path script;
  private final DatabaseTarget target;
  private final int clients;
  private final Duration duration;
  private final Map<String, String> variables;
  private Process process;
  private Path output;

  /**
   * @param variables the script's variables, each passed as {@code -D name=value}
   */
  PgbenchRun(
      Path pgbench,
      Path script,
      DatabaseTarget target,
      int clients,
      Duration duration,
      Map<String, String> variables) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1: " + clients);
    }
    if (duration.toSeconds() < 1) {
      throw new IllegalArgumentException("pgbench runs whole seconds, at least 1: " + duration);
    }
    this.pgbench = pgbench;
    this.script = script;
    this.target = target;
    this.clients = clients;
    this.duration = duration;
    this.variables = Map.copyOf(variables);
  }

  /** Starts pgbench; its output goes to a temporary file read by {@link #await()}. */
  void start() {
    List<String> command = new ArrayList<>();
    command.add(pgbench.toString());
    command.addAll(List.of("-h", target.host(), "-p", Integer.toString(target.port())));
    command.addAll(List.of("-U", target.user(), "-n", "-M", "prepared"));
    command.addAll(List.of("-c", Integer.toString(clients)));
    int threads = Math.min(clients, Runtime.getRuntime().availableProcessors());
    command.addAll(List.of("-j", Integer.toString(threads)));
    command.addAll(List.of("-T", Long.toString(duration.toSeconds())));
    command.addAll(List.of("-f", script.toString()));
    variables.forEach((name, value) -> command.addAll(List.of("-D", name + "=" + value)));
    command.add(target.database());
    try {
      output = Files.createTempFile("lattice-pgbench-", ".out");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      // pgbench reads the password from the environment; it never appears on a command line.
      builder.environment().put("PGPASSWORD", target.password());
      builder.environment().put("PGCONNECT_TIMEOUT", "10");
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + pgbench, e);
    }
  }

  /**
   * Waits for pgbench and reads its figures.
   *
   * @throws IllegalStateException if pgbench failed (a statement failed, e.g. because the script no
   *     longer fits the schema, or it could not connect), aborted a client, or ran nothing; the
   *     message ends with pgbench's output
   */
  PgbenchOutcome await() {
    try {
      long limit = duration.toSeconds() + 120;
      if (!process.waitFor(limit, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "pgbench " + script.getFileName() + " did not finish in " + limit + " s");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      int exit = process.exitValue();
      long processed = number(PROCESSED, text);
      long failed = number(FAILED, text);
      if (exit != 0 || processed <= 0 || failed != 0 || !TPS.matcher(text).find()) {
        throw new IllegalStateException(
            "pgbench "
                + script.getFileName()
                + " on "
                + target
                + " with "
                + clients
                + " clients failed (exit "
                + exit
                + "):\n"
                + text);
      }
      return new PgbenchOutcome(
          script.getFileName().toString(),
          target.database(),
          clients,
          decimal(TPS, text),
          decimal(LATENCY, text),
          processed);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pgbench ran", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pgbench's output " + output, e);
    } finally {
      try {
        Files.deleteIfExists(output);
      } catch (IOException e) {
        // A temporary file left behind in /tmp; nothing depends on it.
      }
    }
  }

  private static long number(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static double decimal(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
