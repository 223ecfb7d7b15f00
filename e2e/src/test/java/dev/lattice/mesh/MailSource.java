package dev.lattice.mesh;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * Where a conformance run reads the mail the mesh sent: the folder of {@code .eml} files that
 * {@code ./mesh up}'s mail catcher writes ({@code .lattice/mail}), or the HTTP API of the Mailpit
 * that docker-compose.yml runs ({@code http://localhost:8025}).
 */
interface MailSource {

  /** The code in the newest message to {@code address} whose text matches {@code code}. */
  Optional<String> find(String address, Pattern code) throws IOException, InterruptedException;

  /** Waits up to a minute for a message to {@code address} with {@code code}; group 1 of it. */
  default String awaitCode(String address, Pattern code) {
    AtomicReference<String> found = new AtomicReference<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              find(address, code).ifPresent(found::set);
              return found.get() != null;
            });
    return found.get();
  }

  /** The mail catcher's folder of {@code .eml} files. */
  static MailSource folder(Path folder) {
    return (address, code) -> {
      if (!Files.isDirectory(folder)) {
        return Optional.empty();
      }
      try (var files = Files.list(folder)) {
        for (Path file :
            files
                .filter(f -> f.toString().endsWith(".eml"))
                .sorted((a, b) -> b.getFileName().compareTo(a.getFileName()))
                .toList()) {
          String text = Files.readString(file, StandardCharsets.UTF_8);
          Matcher m = code.matcher(text);
          if (text.contains(address) && m.find()) {
            return Optional.of(m.group(1));
          }
        }
      }
      return Optional.empty();
    };
  }

  /** Mailpit's API: {@code GET /api/v1/search?query=to:…}, then each message's text. */
  static MailSource mailpit(String baseUrl) {
    HttpClient http = HttpClient.newHttpClient();
    return (address, code) -> {
      String query = URLEncoder.encode("to:\"" + address + "\"", StandardCharsets.UTF_8);
      JsonElement found = get(http, baseUrl + "/api/v1/search?query=" + query);
      for (JsonElement message : found.getAsJsonObject().getAsJsonArray("messages")) {
        String id = message.getAsJsonObject().get("ID").getAsString();
        String text =
            get(http, baseUrl + "/api/v1/message/" + id)
                .getAsJsonObject()
                .get("Text")
                .getAsString();
        Matcher m = code.matcher(text);
        if (m.find()) {
          return Optional.of(m.group(1));
        }
      }
      return Optional.empty();
    };
  }

  private static JsonElement get(HttpClient http, String url)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("Mailpit answered " + response.statusCode() + " for " + url);
    }
    return JsonParser.parseString(response.body());
  }
}
