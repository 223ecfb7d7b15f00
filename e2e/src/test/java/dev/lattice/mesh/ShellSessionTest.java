package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellSessionTest {

  @TempDir Path folder;

  @Test
  void variablesAndFunctions_carryOverFromBlockToBlock_inTheGivenFolderAndEnvironment()
      throws Exception {
    Files.writeString(folder.resolve("secret.txt"), "s3cret\n");
    try (ShellSession shell =
        new ShellSession(folder, Map.of("EDGE", "http://localhost:1234"), folder.resolve("out"))) {
      assertThat(
              shell.run(
                  "TOKEN=$(cat secret.txt)\nsay() { echo \"$1 $TOKEN\"; }", Duration.ofSeconds(10)))
          .isEqualTo(new ShellSession.Result("", 0));
      assertThat(
              shell.run("say hello; echo ${EDGE:-http://localhost:8080}", Duration.ofSeconds(10)))
          .isEqualTo(new ShellSession.Result("hello s3cret\nhttp://localhost:1234\n", 0));
    }
  }

  @Test
  void stderrIsPartOfTheOutput_andTheLastStatusIsReported_stdinIsEmpty() throws Exception {
    try (ShellSession shell = new ShellSession(folder, Map.of(), folder.resolve("out"))) {
      ShellSession.Result result =
          shell.run("echo out; echo err >&2; cat; false", Duration.ofSeconds(10));

      assertThat(result.output()).isEqualTo("out\nerr\n");
      assertThat(result.status()).isEqualTo(1);
    }
  }

  @Test
  void aBlockThatDoesNotEnd_failsAfterTheTimeout_withItsOutputSoFar() throws Exception {
    try (ShellSession shell = new ShellSession(folder, Map.of(), folder.resolve("out"))) {
      assertThatThrownBy(() -> shell.run("echo waiting; sleep 60", Duration.ofSeconds(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("still running after 1 s")
          .hasMessageContaining("waiting");
    }
  }

  @Test
  void aBlockThatExits_isReported() throws Exception {
    try (ShellSession shell = new ShellSession(folder, Map.of(), folder.resolve("out"))) {
      assertThatThrownBy(() -> shell.run("echo bye; exit 3", Duration.ofSeconds(10)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("bash exited (status 3)")
          .hasMessageContaining("bye");
    }
  }
}
