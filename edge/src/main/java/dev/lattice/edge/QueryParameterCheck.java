package dev.lattice.edge;

import com.google.common.base.CaseFormat;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.rpc.BadRequest;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status.Code;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses an HTTP/JSON request with a query parameter that names no field of the method's request
 * message (400, {@code INVALID_ARGUMENT}, naming the parameter), as Envoy's transcoder does;
 * Armeria's transcoder would silently ignore it.
 *
 * <p>The names accepted are those Armeria's transcoder maps (with the match rules the edge
 * configures): a field's proto name, its lowerCamelCase form and its JSON name, dotted for fields
 * of nested messages, for every field that a query parameter can carry (scalars, enums, wrappers,
 * timestamps, durations, field masks). The mapping itself stays Armeria's. Thread-safe.
 */
final class QueryParameterCheck implements DecoratingHttpServiceFunction {

  private static final Set<String> STRING_LIKE =
      Set.of("google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask");

  private static final Set<String> WRAPPERS =
      Set.of(
          "google.protobuf.DoubleValue",
          "google.protobuf.FloatValue",
          "google.protobuf.Int64Value",
          "google.protobuf.UInt64Value",
          "google.protobuf.Int32Value",
          "google.protobuf.UInt32Value",
          "google.protobuf.BoolValue",
          "google.protobuf.StringValue",
          "google.protobuf.BytesValue");

  private final GrpcService grpc;
  private final ErrorResponses errors;
  private final Map<String, Descriptor> inputTypes = new HashMap<>();
  private final Map<String, Set<String>> accepted = new HashMap<>();

  /**
   * @param grpc the transcoding service, which knows the method each route maps to
   * @param inputTypes request message type by full method name ({@code pkg.Service/Method})
   */
  QueryParameterCheck(GrpcService grpc, Map<String, Descriptor> inputTypes, ErrorResponses errors) {
    this.grpc = grpc;
    this.errors = errors;
    inputTypes.forEach(
        (method, type) -> {
          this.inputTypes.put(method, type);
          this.accepted.put(method, acceptedNames(type));
        });
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (Boolean.TRUE.equals(ctx.attr(EdgeAttributes.FRAMED)) || ctx.query() == null) {
      return delegate.serve(ctx, req);
    }
    ServerMethodDefinition<?, ?> method = grpc.methodDefinition(ctx);
    if (method == null) {
      return delegate.serve(ctx, req);
    }
    String name = method.getMethodDescriptor().getFullMethodName();
    Set<String> names = accepted.getOrDefault(name, Set.of());
    for (String parameter : ctx.queryParams().names()) {
      if (!names.contains(parameter)) {
        return unknown(req, parameter, inputTypes.get(name));
      }
    }
    return delegate.serve(ctx, req);
  }

  private HttpResponse unknown(HttpRequest req, String parameter, Descriptor type) {
    String message =
        "unknown query parameter '" + parameter + "': " + type.getFullName() + " has no such field";
    com.google.rpc.Status status =
        ErrorResponses.status(
            Code.INVALID_ARGUMENT,
            message,
            "UNKNOWN_QUERY_PARAMETER",
            Map.of("parameter", parameter),
            BadRequest.newBuilder()
                .addFieldViolations(
                    BadRequest.FieldViolation.newBuilder()
                        .setField(parameter)
                        .setDescription("no such field in " + type.getFullName()))
                .build());
    return errors
        .response(req.headers(), HttpStatus.BAD_REQUEST, status, HttpHeaders.of())
        .toHttpResponse();
  }

  /** Every query parameter name that maps to a field of {@code type}. */
  static Set<String> acceptedNames(Descriptor type) {
    Set<String> names = new LinkedHashSet<>();
    collect(type, "", new HashSet<>(Set.of(type.getFullName())), names);
    return Set.copyOf(names);
  }

  private static void collect(Descriptor type, String prefix, Set<String> path, Set<String> out) {
    for (FieldDescriptor field : type.getFields()) {
      for (String name : namesOf(field)) {
        String key = prefix.isEmpty() ? name : prefix + "." + name;
        if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          out.add(key);
          continue;
        }
        if (field.isMapField()) {
          continue; // Maps travel only in a body.
        }
        String nested = field.getMessageType().getFullName();
        if (STRING_LIKE.contains(nested) || WRAPPERS.contains(nested)) {
          out.add(key);
        } else if (!nested.startsWith("google.protobuf.") && path.add(nested)) {
          collect(field.getMessageType(), key, path, out);
          path.remove(nested);
        }
      }
    }
  }

  private static List<String> namesOf(FieldDescriptor field) {
    Set<String> names = new LinkedHashSet<>();
    names.add(field.getName());
    names.add(CaseFormat.LOWER_UNDERSCORE.to(CaseFormat.LOWER_CAMEL, field.getName()));
    if (field.toProto().hasJsonName()) {
      names.add(field.toProto().getJsonName());
    }
    return List.copyOf(names);
  }
}
