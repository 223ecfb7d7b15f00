package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.mesh.ReadmeCommands.Answer;
import dev.lattice.mesh.ReadmeCommands.Command;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReadmeCommandsTest {

  private static final String README =
      """
      # Title

      ## Elsewhere

      ```sh
      echo not in a covered section
      ```

      ## Journey

      Prose.

      <!-- not run by ReadmeJourneyIT: starts the mesh -->
      ```sh
      ./mesh up
      ```

      ```sh
      X=1
      ```

      ```sh
      echo $X
      ```
      ```text
      1
      ```

      ```sh
      echo '{}'
      ```

      ```json
      {}
      ```

      ### A sub-heading stays in the section

      ```sh
      echo done
      ```
      Some prose between.
      ```
      a plain block, not an answer
      ```

      ## After
      ```sh
      echo not covered either
      ```
      """;

  @Test
  void commandsOfTheCoveredSection_withTheirAnswers_inOrder() {
    List<Command> commands = ReadmeCommands.of(README.lines().toList(), List.of("Journey"));

    assertThat(commands)
        .extracting(Command::text)
        .containsExactly("X=1", "echo $X", "echo '{}'", "echo done");
    assertThat(commands)
        .extracting(c -> c.answer().map(Answer::text))
        .containsExactly(Optional.empty(), Optional.of("1"), Optional.of("{}"), Optional.empty());
    assertThat(commands.get(1).line()).isEqualTo(22);
    assertThat(commands.get(1).answer().orElseThrow().line()).isEqualTo(25);
    assertThat(commands).extracting(Command::section).containsOnly("Journey");
  }

  @Test
  void anAnswerAfterProse_isRefused() {
    String readme = "## Journey\n```sh\necho 1\n```\nwhat it prints:\n```text\n1\n```\n";

    assertThatThrownBy(() -> ReadmeCommands.of(readme.lines().toList(), List.of("Journey")))
        .hasMessageContaining("README.md:6: a text answer block that follows no command");
  }

  @Test
  void aMissingSection_isRefused_soARenameCannotSkipTheTest() {
    assertThatThrownBy(
            () -> ReadmeCommands.of(README.lines().toList(), List.of("Journey", "Quick start")))
        .hasMessageContaining("no section '## Quick start'");
  }

  @Test
  void aNotRunMarkerWithoutReason_isRefused() {
    String readme =
        "## Journey\n<!-- not run by ReadmeJourneyIT: -->\n```sh\n./mesh up\n```\n```sh\necho\n```\n";

    assertThatThrownBy(() -> ReadmeCommands.of(readme.lines().toList(), List.of("Journey")))
        .hasMessageContaining("needs a reason");
  }

  @Test
  void anUnclosedFence_isRefused() {
    String readme = "## Journey\n```sh\necho 1\n";

    assertThatThrownBy(() -> ReadmeCommands.of(readme.lines().toList(), List.of("Journey")))
        .hasMessageContaining("README.md:2: a fenced block is never closed");
  }
}
