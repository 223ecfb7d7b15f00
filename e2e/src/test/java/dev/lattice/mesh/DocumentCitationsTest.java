package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every document a tracked file cites ({@code docs/architecture.md §6}, {@code
 * decisions/0008-order-saga.md}, {@code README.md}) is in the repository, so a reader can follow it
 * from a clone. A design, style or toolchain note kept elsewhere cannot be cited; what the code
 * follows is written in {@code docs/}. Files the build writes ({@code target/…}) are not citations.
 */
class DocumentCitationsTest {

  /** A path ending in .md, not followed by more of a name (Go's {@code s.md.Get} is code). */
  private static final Pattern CITATION =
      Pattern.compile("(?<![\\w./-])([\\w./-]*[\\w-]\\.md)(?![\\w(]|\\.\\w)");

  @Test
  void everyCitedDocument_isInTheRepository() throws Exception {
    List<String> tracked = gitLsFiles();
    List<String> documents = tracked.stream().filter(f -> f.endsWith(".md")).toList();
    List<String> missing = new ArrayList<>();
    for (String file : tracked) {
      if (file.endsWith("/DocumentCitationsTest.java")) {
        continue; // its own examples of what must not be cited
      }
      String text = readText(RepoCommand.ROOT.resolve(file));
      if (text == null) {
        continue;
      }
      Matcher m = CITATION.matcher(text);
      while (m.find()) {
        String cited = m.group(1).replaceFirst("^(\\.{1,2}/)+", "");
        if (!cited.startsWith("target/") && !resolves(cited, documents)) {
          missing.add(file + " cites " + m.group(1));
        }
      }
    }

    assertThat(documents).contains("docs/architecture.md", "docs/DESIGN.md", "README.md");
    assertThat(missing).as("citations of documents that are not in the repository").isEmpty();
  }

  @Test
  void aDocumentOutsideTheRepository_isReported() {
    List<String> documents = List.of("docs/architecture.md", "docs/decisions/0008-order-saga.md");

    assertThat(resolves("decisions/0008-order-saga.md", documents)).isTrue();
    assertThat(resolves("architecture.md", documents)).isTrue();
    assertThat(resolves("STYLE.md", documents)).isFalse();
    assertThat(resolves("docs/decisions/0099-nothing.md", documents)).isFalse();
    Matcher code = CITATION.matcher("if got := call.md.Get(key); see TOOLCHAIN.md.");
    assertThat(code.find()).isTrue();
    assertThat(code.group(1)).isEqualTo("TOOLCHAIN.md");
  }

  /** A path with folders must end a tracked document's path; a bare name must be one's name. */
  private static boolean resolves(String cited, List<String> documents) {
    return documents.stream()
        .anyMatch(
            d ->
                cited.contains("/")
                    ? d.equals(cited) || d.endsWith("/" + cited)
                    : Path.of(d).getFileName().toString().equals(cited));
  }

  /** The file as UTF-8 text, or null for a binary one. */
  private static String readText(Path file) throws IOException {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return text.indexOf('\0') >= 0 ? null : text;
    } catch (MalformedInputException e) {
      return null;
    }
  }

  private static List<String> gitLsFiles() throws IOException, InterruptedException {
    Process git =
        new ProcessBuilder("git", "ls-files", "-z")
            .directory(RepoCommand.ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(git.exitValue()).as(out).isZero();
    List<String> files = new ArrayList<>();
    for (String f : out.split("\0")) {
      if (!f.isEmpty() && Files.isRegularFile(RepoCommand.ROOT.resolve(f))) {
        files.add(f);
      }
    }
    return files;
  }
}
