package dev.lattice.identity.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lattice.identity.keys.KeyAdministration;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JWKS as plain JSON over HTTP ({@code GET /.well-known/jwks.json}), the form Envoy's {@code
 * jwt_authn} {@code remote_jwks} and other off-the-shelf verifiers fetch. The same keys GetJwks
 * returns, as an RFC 7517 JWK Set, cacheable for 5 minutes.
 */
public final class JwksHttpServer implements AutoCloseable {

  /** The path served. */
  public static final String PATH = "/.well-known/jwks.json";

  private static final Logger log = LoggerFactory.getLogger(JwksHttpServer.class);

  private final HttpServer server;

  private JwksHttpServer(HttpServer server) {
    this.server = server;
  }

  /** Starts serving on {@code port} (0 for any free port). */
  public static JwksHttpServer start(int port, KeyAdministration keys) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the JWKS over HTTP on port " + port, e);
    }
    JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
    server.createContext(
        PATH,
        exchange -> {
          try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())
                && !"HEAD".equals(exchange.getRequestMethod())) {
              exchange.getResponseHeaders().set("Allow", "GET, HEAD");
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            send(exchange, printer.print(keys.jwks()));
          } catch (InvalidProtocolBufferException | RuntimeException e) {
            log.error("cannot serve the JWKS", e);
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    log.info("JWKS served over HTTP at http://0.0.0.0:{}{}", server.getAddress().getPort(), PATH);
    return new JwksHttpServer(server);
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange exchange, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
    exchange.getResponseHeaders().set("Cache-Control", "public, max-age=300");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(200, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
