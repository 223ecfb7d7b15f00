package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class WatchdogTest {

  @Test
  void jvmKilledWithSigkill_serversStopAndTemporaryDirectoriesGo() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ServersHolderMain.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    String[] ready;
    try {
      var out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).startsWith("READY ");
      ready = line.split(" ");
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hooks run
    }
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long pgPid = Long.parseLong(ready[1]);
    int pgPort = Integer.parseInt(ready[2]);
    Path pgDir = Path.of(ready[3]);
    long natsPid = Long.parseLong(ready[4]);
    int natsPort = Integer.parseInt(ready[5]);
    Path natsDir = Path.of(ready[6]);
    assertThat(isAlive(pgPid)).as("postgres still runs right after the kill").isTrue();

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline
        && (isAlive(pgPid)
            || isAlive(natsPid)
            || pgDir.toFile().exists()
            || natsDir.toFile().exists())) {
      Thread.sleep(100);
    }
    assertThat(isAlive(pgPid)).as("postgres pid %s", pgPid).isFalse();
    assertThat(isAlive(natsPid)).as("nats-server pid %s", natsPid).isFalse();
    assertThat(listening(pgPort)).isFalse();
    assertThat(listening(natsPort)).isFalse();
    assertThat(pgDir).doesNotExist();
    assertThat(natsDir).doesNotExist();
  }

  private static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
