package dev.lattice.platform.testsupport;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One unary gRPC call over a hand-built HTTP/2 stream, so a test can send metadata bytes that
 * grpc-java's client refuses to send (it drops values that are not printable ASCII). Only the
 * response headers and trailers are read; the response message is ignored.
 */
public final class RawGrpcCall {

  private RawGrpcCall() {}

  /**
   * What came back: the status from {@code grpc-status}, and every header and trailer as text, or
   * the HTTP/2 error code when the server reset the stream instead.
   */
  public record Response(Map<String, String> headers, Long resetErrorCode) {

    /** The gRPC status code; fails if the stream was reset. */
    public Status.Code code() {
      if (resetErrorCode != null) {
        throw new AssertionError("stream reset with HTTP/2 error " + resetErrorCode);
      }
      return Status.fromCodeValue(Integer.parseInt(headers.getOrDefault("grpc-status", "2")))
          .getCode();
    }

    /** The {@code google.rpc.Status} of {@code grpc-status-details-bin}. */
    public com.google.rpc.Status richStatus() {
      String details = headers.get("grpc-status-details-bin");
      if (details == null) {
        throw new AssertionError("no grpc-status-details-bin in " + headers.keySet());
      }
      try {
        return com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(details));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Calls {@code fullMethodName} on a plaintext server at {@code 127.0.0.1:port} with {@code
   * request} and the given extra metadata, sent byte for byte.
   */
  public static Response call(
      int port, String fullMethodName, Message request, Map<String, byte[]> metadata)
      throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try {
      CompletableFuture<Response> response = new CompletableFuture<>();
      Channel connection =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      channel
                          .pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forClient().validateHeaders(false).build(),
                              new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                  })
              .connect("127.0.0.1", port)
              .sync()
              .channel();
      Http2StreamChannel stream =
          new Http2StreamChannelBootstrap(connection)
              .handler(new Collector(response))
              .open()
              .sync()
              .getNow();
      Http2Headers headers =
          new DefaultHttp2Headers(false)
              .method("POST")
              .scheme("http")
              .authority("127.0.0.1:" + port)
              .path("/" + fullMethodName)
              .add("content-type", "application/grpc")
              .add("te", "trailers");
      metadata.forEach((name, value) -> headers.add(AsciiString.of(name), new AsciiString(value)));
      stream.write(new DefaultHttp2HeadersFrame(headers));
      stream.writeAndFlush(new DefaultHttp2DataFrame(grpcFrame(request), true)).sync();
      Response result = response.get(10, TimeUnit.SECONDS);
      connection.close().sync();
      return result;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static ByteBuf grpcFrame(Message request) {
    byte[] body = request.toByteArray();
    ByteBuf frame = Unpooled.buffer(5 + body.length);
    frame.writeByte(0);
    frame.writeInt(body.length);
    frame.writeBytes(body);
    return frame;
  }

  /** Gathers response headers until the stream ends or is reset. */
  private static final class Collector extends ChannelInboundHandlerAdapter {

    private final CompletableFuture<Response> response;
    private final Map<String, String> headers = new LinkedHashMap<>();

    Collector(CompletableFuture<Response> response) {
      this.response = response;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object frame) {
      try {
        if (frame instanceof Http2HeadersFrame headersFrame) {
          headersFrame
              .headers()
              .forEach(
                  entry ->
                      headers.put(
                          entry.getKey().toString(),
                          new String(
                              AsciiString.of(entry.getValue()).toByteArray(),
                              StandardCharsets.ISO_8859_1)));
          if (headersFrame.isEndStream()) {
            response.complete(new Response(Map.copyOf(headers), null));
          }
        } else if (frame instanceof Http2ResetFrame reset) {
          response.complete(new Response(Map.copyOf(headers), reset.errorCode()));
        }
      } finally {
        ReferenceCountUtil.release(frame);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      response.completeExceptionally(cause);
    }
  }
}
