package dev.lattice.mesh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The one mesh of a project folder: an exclusive lock on {@code .lattice/mesh.lock}, held by {@code
 * ./mesh up} for as long as it runs, so that a second one refuses to start instead of starting
 * servers on the same data directories. The operating system releases the lock when the process
 * dies however it dies ({@code kill -9} included), so a killed mesh leaves no lock behind; the file
 * itself stays and names the pid of its last holder.
 */
final class MeshLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private MeshLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static Path file(Path root) {
    return root.resolve(".lattice").resolve("mesh.lock");
  }

  /** Takes the lock of {@code root} for this process; empty when another process holds it. */
  static Optional<MeshLock> tryAcquire(Path root) throws IOException {
    Path file = file(root);
    Files.createDirectories(file.getParent());
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // this JVM already holds it
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    channel.force(true);
    return Optional.of(new MeshLock(channel, lock));
  }

  /**
   * The pid written by the process that holds (or last held) the lock of {@code root}; 0 if none.
   */
  static long holder(Path root) {
    try {
      String text = Files.readString(file(root), StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? 0 : Long.parseLong(text);
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
