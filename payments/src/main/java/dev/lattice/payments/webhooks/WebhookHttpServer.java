package dev.lattice.payments.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.LatticeException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.errors.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's webhooks over plain HTTP: {@code POST /v1/payments/webhook} with the raw JSON body
 * and the {@code Lattice-Signature} header, handled by {@link ProviderWebhooks}. Answers 200 {@code
 * {"received": true}} (also for a replayed event), 400 for a bad signature or body, 404 for an
 * unknown charge and 503 when the provider cannot be asked (the provider redelivers anything but
 * 2xx), 413 above 256 KiB.
 */
public final class WebhookHttpServer implements AutoCloseable {

  /** The path served. */
  public static final String PATH = "/v1/payments/webhook";

  private static final int MAX_BODY_BYTES = 256 * 1024;
  private static final byte[] RECEIVED = "{\"received\": true}".getBytes(StandardCharsets.UTF_8);
  private static final Logger log = LoggerFactory.getLogger(WebhookHttpServer.class);

  private final HttpServer server;

  private WebhookHttpServer(HttpServer server) {
    this.server = server;
  }

  /** Starts serving on {@code port} (0 for any free port). */
  public static WebhookHttpServer start(int port, ProviderWebhooks webhooks) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve payment webhooks over HTTP on port " + port, e);
    }
    server.createContext(
        PATH,
        exchange -> {
          try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
              exchange.getResponseHeaders().set("Allow", "POST");
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
              body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
              exchange.sendResponseHeaders(413, -1);
              return;
            }
            answer(exchange, webhooks, body);
          } catch (IOException | RuntimeException e) {
            log.warn("webhook request failed: {}", e.toString());
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    log.info(
        "payment webhooks over HTTP at http://0.0.0.0:{}{}", server.getAddress().getPort(), PATH);
    return new WebhookHttpServer(server);
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, ProviderWebhooks webhooks, byte[] body)
      throws IOException {
    int status;
    byte[] response;
    try {
      webhooks.handle(body, exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER));
      status = 200;
      response = RECEIVED;
    } catch (LatticeException e) {
      status =
          switch (e) {
            case UnauthenticatedException u -> 400;
            case InvalidArgumentException i -> 400;
            case NotFoundException n -> 404;
            case UnavailableException u -> 503;
            default -> 500;
          };
      response = ("{\"error\": \"" + e.reason() + "\"}").getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      log.error("webhook handling failed", e);
      status = 500;
      response = "{\"error\": \"INTERNAL\"}".getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, response.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(response);
    }
  }

  @Override
  public void close() {
    server.stop(1);
  }
}
