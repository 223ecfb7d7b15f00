package dev.lattice.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Operating-system helpers shared by the server fixtures: signals, files, binaries on PATH.
 * Stateless and thread-safe.
 */
final class Processes {
  private Processes() {}

  /** True when this JVM runs as uid 0. */
  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * The first executable called {@code name} in the directories of {@code path}, then in {@code
   * extraDirs}.
   */
  static Optional<Path> findExecutable(String name, String path, List<Path> extraDirs) {
    Stream<Path> onPath =
        path == null
            ? Stream.empty()
            : Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of);
    return Stream.concat(onPath, extraDirs.stream())
        .map(dir -> dir.resolve(name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }

  /**
   * Sends {@code signal} (a name such as {@code INT}) to {@code pid}; false if it was not
   * delivered.
   */
  static boolean signal(long pid, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Sends {@code signal} to {@code pid} and every descendant of it (a server and the processes it
   * forked, such as PostgreSQL's backends); false if one that is still alive did not get it (a
   * descendant may exit meanwhile).
   */
  static boolean signalTree(long pid, String signal) {
    List<ProcessHandle> children =
        ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of());
    boolean delivered = signal(pid, signal);
    for (ProcessHandle child : children) {
      if (!signal(child.pid(), signal) && child.isAlive()) {
        delivered = false;
      }
    }
    return delivered;
  }

  static boolean isAlive(long pid) {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Waits for {@code process} to exit; true if it did within {@code timeout}. */
  static boolean awaitExit(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /**
   * Sleeps while waiting for {@code server} (a name for the message) to come up.
   *
   * @throws ServerStartException if interrupted; the interrupt flag stays set
   */
  static void sleepWhileWaiting(Duration duration, String server) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while waiting for " + server, e);
    }
  }

  /**
   * Runs a command to completion with its output appended to {@code log}.
   *
   * @return the exit code
   * @throws ServerStartException if it cannot be started or does not finish within {@code timeout}
   */
  static int run(List<String> command, Path workDir, Path log, Duration timeout) {
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new ServerStartException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
    }
    if (!awaitExit(process, timeout)) {
      process.destroyForcibly();
      throw new ServerStartException(
          String.join(" ", command) + " did not finish in " + timeout + tail(log, 20));
    }
    return process.exitValue();
  }

  /** The last {@code lines} lines of a log, prefixed with a header line; empty if there is none. */
  static String tail(Path log, int lines) {
    if (log == null) {
      return "";
    }
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      Deque<String> last = new ArrayDeque<>();
      for (String line : all) {
        last.addLast(line);
        if (last.size() > lines) {
          last.removeFirst();
        }
      }
      return last.isEmpty()
          ? ""
          : "\n--- last lines of " + log + " ---\n" + String.join("\n", last);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  static String readFirstLine(Path file) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.findFirst().orElse("").trim();
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  /** Deletes a directory tree; missing files are ignored. */
  static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Gives a directory tree to an OS user (and that user's group); needs root. */
  static void chownRecursively(Path root, String user) {
    try {
      UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal owner = lookup.lookupPrincipalByName(user);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : (Iterable<Path>) paths::iterator) {
          PosixFileAttributeView view =
              Files.getFileAttributeView(
                  p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
          view.setOwner(owner);
          view.setGroup(group);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot give " + root + " to OS user " + user, e);
    }
  }

  static boolean userExists(String user) {
    try {
      Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String env(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }
}
