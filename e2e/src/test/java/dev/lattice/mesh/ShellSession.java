package dev.lattice.mesh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One bash process that runs blocks of commands one after another, the way a user pastes them into
 * one terminal: variables, the working directory and functions carry over from block to block. Each
 * block is written to a file and sourced, with its output (stdout and stderr together) kept in a
 * file beside it and stdin from {@code /dev/null}; bash itself only reports on its stdout that a
 * block has ended, and with which status. Not thread-safe.
 */
final class ShellSession implements AutoCloseable {

  private static final String DONE = "<<readme-block-done>>";

  /**
   * What a block did.
   *
   * @param output what it printed, stdout and stderr interleaved as they came
   * @param status the exit status of its last command
   */
  record Result(String output, int status) {}

  private final Process bash;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path scratch;
  private int blocks;

  /**
   * Starts bash in {@code directory} with the test JVM's environment plus {@code environment}.
   * Blocks and their output are kept in {@code scratch} ({@code block-N.sh}, {@code block-N.out}).
   */
  ShellSession(Path directory, Map<String, String> environment, Path scratch) throws IOException {
    this.scratch = Files.createDirectories(scratch);
    ProcessBuilder builder =
        new ProcessBuilder("bash", "--noprofile", "--norc")
            .directory(directory.toFile())
            .redirectErrorStream(true);
    builder.environment().putAll(environment);
    this.bash = builder.start();
    this.stdin = new OutputStreamWriter(bash.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("<bash's output closed: " + e.getMessage() + ">");
              }
            },
            "shell-session");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Runs {@code commands} and waits for them to end.
   *
   * @throws IllegalStateException if they did not end within {@code timeout} (the session is
   *     stopped, with every process it started) or bash exited (a block ran {@code exit})
   */
  Result run(String commands, Duration timeout) throws IOException, InterruptedException {
    int n = ++blocks;
    Path block = scratch.resolve("block-" + n + ".sh");
    Path output = scratch.resolve("block-" + n + ".out");
    Files.writeString(block, commands + "\n");
    stdin.write(
        ". "
            + quoted(block)
            + " > "
            + quoted(output)
            + " 2>&1 < /dev/null; echo \""
            + DONE
            + " $?\"\n");
    stdin.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder bashSaid =
        new StringBuilder(); // anything bash printed outside the block's output
    while (true) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(DONE)) {
        int status = Integer.parseInt(line.substring(DONE.length()).strip());
        return new Result(bashSaid + Files.readString(output), status);
      }
      if (line != null) {
        bashSaid.append(line).append('\n');
      } else if (!bash.isAlive()) {
        throw new IllegalStateException(
            "bash exited (status "
                + bash.exitValue()
                + "); output:\n"
                + bashSaid
                + outputSoFar(output));
      } else if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException(
            "still running after "
                + timeout.toSeconds()
                + " s; its output so far:\n"
                + bashSaid
                + outputSoFar(output));
      }
    }
  }

  private static String outputSoFar(Path output) throws IOException {
    return Files.exists(output) ? Files.readString(output) : "";
  }

  @Override
  public void close() {
    bash.descendants().forEach(ProcessHandle::destroyForcibly);
    bash.destroyForcibly();
  }

  private static String quoted(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "'\\''") + "'";
  }
}
