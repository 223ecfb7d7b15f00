package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real browser through the edge: the checkout page of {@code clients/web}, built from the
 * contracts (generated TypeScript, bundled), served from another origin than the edge (the JDK's
 * file server on 127.0.0.1, the edge on localhost), driven in Debian's headless Chromium by {@code
 * clients/web/test/browser-checkout.mjs} (playwright-core). The page signs in, lists products,
 * finds the product by a misspelt search (its matched word marked), orders, and shows the order
 * reach PAID — once through {@code fetch} on the JSON API and once through the generated client
 * over gRPC-Web — with no console error, no failed request and no CORS failure. In each mode staff
 * first add a picture to the product through the page (CreateUpload, the bytes PUT straight to
 * object storage at the presigned URL, CompleteUpload, the virus scan), and the shopper's page then
 * shows it, loaded from storage. The screenshot lands in {@code target/browser/checkout.png}.
 */
@ExtendWith(EdgeTargets.class)
class BrowserIT {

  private static final String PASSWORD = "a long browser passphrase 9";

  private static EdgeTarget target;
  private static HttpServer pages;

  @BeforeAll
  static void buildAndServeThePage(EdgeTarget edge) throws Exception {
    target = edge;
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as(
            "headless Chromium at %s: install Debian's package 'chromium' (./mesh test does as root)",
            chromium)
        .isTrue();
    RepoCommand.run(List.of("npm", "run", "--silent", "web:build"), Map.of(), 300);
    Path dist = RepoCommand.ROOT.resolve("clients/web/dist");
    assertThat(dist.resolve("index.html")).exists();
    pages =
        SimpleFileServer.createFileServer(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            dist,
            SimpleFileServer.OutputLevel.NONE);
    pages.start();
  }

  @AfterAll
  static void stopServingThePage() {
    if (pages != null) {
      pages.stop(0);
    }
  }

  /** A small PNG: what a shop's staff would upload as a product picture. */
  private static void writePicture(Path file) throws IOException {
    BufferedImage image = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 48; x++) {
      for (int y = 0; y < 48; y++) {
        image.setRGB(x, y, (x / 12 + y / 12) % 2 == 0 ? 0x2f6fb0 : 0xf4d35e);
      }
    }
    ImageIO.write(image, "png", file.toFile());
  }

  @Test
  void checkout_inHeadlessChromium_overJsonAndGrpcWeb_reachesPaid() throws Exception {
    JsonApi api = new JsonApi(target.baseUrl());
    EdgeAccounts accounts = new EdgeAccounts(api, target.mail());
    String run = Long.toString(System.nanoTime(), 36);
    String email = "shopper-" + run + "@browser.test";
    accounts.registerAndVerify(email, PASSWORD, "Browser shopper");
    String admin =
        accounts
            .login(target.adminEmail(), target.adminPassword())
            .get("accessToken")
            .getAsString();
    JsonObject product = new JsonObject();
    product.addProperty("sku", "WEB-" + run);
    product.addProperty("name", "Browser test mug");
    product.addProperty("priceAmountMinor", "1250");
    product.addProperty("currency", "EUR");
    product.addProperty("initialStock", "10");
    String productId =
        api.post("/v1/products")
            .bearer(admin)
            .json(product)
            .expect(200)
            .body()
            .getAsJsonObject("product")
            .get("id")
            .getAsString();

    Path screenshot =
        Files.createDirectories(Path.of("target", "browser"))
            .resolve("checkout.png")
            .toAbsolutePath();
    Files.deleteIfExists(screenshot);
    Path picture = screenshot.resolveSibling("mug.png");
    writePicture(picture);
    String page = "http://127.0.0.1:" + pages.getAddress().getPort() + "/index.html";
    List<String> output =
        RepoCommand.run(
            List.of(
                "node",
                "clients/web/test/browser-checkout.mjs",
                "--page",
                page,
                "--edge",
                target.baseUrl(),
                "--tenant",
                EdgeAccounts.TENANT,
                "--email",
                email,
                "--password",
                PASSWORD,
                "--product-id",
                productId,
                // A misspelt word and a right one: found by the name's word similarity, and
                // the word that matched ("mug") marked in the row.
                "--search",
                "brwser mug",
                // Staff add a picture in each mode: CreateUpload through the edge, the bytes
                // straight to object storage at the presigned URL, CompleteUpload, the scan;
                // then the shopper's page shows it, loaded from storage.
                "--picture",
                picture.toString(),
                "--staff-email",
                target.adminEmail(),
                "--staff-password",
                target.adminPassword(),
                "--screenshot",
                screenshot.toString()),
            Map.of(),
            300);

    JsonObject summary = JsonParser.parseString(output.getLast()).getAsJsonObject();
    System.out.println("browser summary: " + summary);
    assertThat(summary.get("ok").getAsBoolean()).as("summary %s", summary).isTrue();
    List<String> modes = new ArrayList<>();
    List<String> uploaded = new ArrayList<>();
    for (JsonElement m : summary.getAsJsonArray("modes")) {
      JsonObject mode = m.getAsJsonObject();
      modes.add(mode.get("mode").getAsString());
      assertThat(mode.get("finalStatus").getAsString()).as("mode %s", mode).isEqualTo("PAID");
      assertThat(mode.getAsJsonArray("searchMarked").asList())
          .as("the parts of the name the search marked, mode %s", mode)
          .extracting(JsonElement::getAsString)
          .containsExactly("mug");
      // What the page showed is what the API says.
      JsonObject order =
          api.get("/v1/orders/" + mode.get("orderId").getAsString())
              .bearer(admin)
              .expect(200)
              .body()
              .getAsJsonObject("order");
      assertThat(order.get("status").getAsString()).isEqualTo("ORDER_STATUS_PAID");
      String mediaId = mode.getAsJsonObject("uploaded").get("mediaId").getAsString();
      assertThat(mode.getAsJsonArray("shownPictures").asList())
          .extracting(JsonElement::getAsString)
          .as("pictures the shopper's page showed, mode %s", mode)
          .contains(mediaId);
      uploaded.add(mediaId);
    }
    // What the pages showed is what the API says: clean public pictures at stable URLs.
    JsonObject media =
        api.get("/v1/products/" + productId + "/media").bearer(admin).expect(200).body();
    List<String> clean = new ArrayList<>();
    for (JsonElement m : media.getAsJsonArray("media")) {
      JsonObject file = m.getAsJsonObject();
      assertThat(file.get("status").getAsString()).isEqualTo("MEDIA_STATUS_CLEAN");
      assertThat(file.get("sniffedContentType").getAsString()).isEqualTo("image/png");
      assertThat(file.get("url").getAsString()).doesNotContain("X-Amz-Signature");
      clean.add(file.get("id").getAsString());
    }
    assertThat(clean).containsExactlyElementsOf(uploaded);
    assertThat(summary.getAsJsonArray("storageCalls").asList())
        .extracting(JsonElement::getAsString)
        .as("the presigned PUTs and the pictures' GETs, straight to object storage")
        .contains("PUT 200", "GET 200");
    assertThat(modes).containsExactly("json", "grpc-web");
    assertThat(summary.getAsJsonArray("consoleErrors")).isEmpty();
    assertThat(summary.getAsJsonArray("failedRequests")).isEmpty();
    assertThat(summary.getAsJsonArray("corsFailures")).isEmpty();
    assertThat(summary.get("preflights").getAsInt())
        .as("CORS preflights sent to the edge")
        .isPositive();
    assertThat(summary.get("pageOrigin").getAsString())
        .isNotEqualTo(summary.get("edgeOrigin").getAsString());
    assertThat(Files.size(screenshot)).as("screenshot %s", screenshot).isGreaterThan(10_000);
  }
}
