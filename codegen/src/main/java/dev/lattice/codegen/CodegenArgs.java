package dev.lattice.codegen;

import dev.lattice.codegen.JooqCodegen.Request;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@link JooqCodegen}: {@code --migrations=DIR --package=PKG --target=DIR
 * [--schema=public]}, each also as {@code --name value}, read into a {@link Request}.
 *
 * <p>Stateless and thread-safe.
 */
final class CodegenArgs {
  private CodegenArgs() {}

  /**
   * The request {@code args} name.
   *
   * @throws IllegalArgumentException on a missing, unexpected or unknown argument
   */
  static Request parse(String[] args) {
    Map<String, String> opts = options(args);
    return new Request(
        Path.of(required(opts, "migrations")),
        required(opts, "package"),
        Path.of(required(opts, "target")),
        opts.getOrDefault("schema", "public"));
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'; " + usage());
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        name = arg.substring(2);
        value = args[++i];
      } else {
        throw new IllegalArgumentException("no value for " + arg + "; " + usage());
      }
      if (!List.of("migrations", "package", "target", "schema").contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; " + usage());
      }
      opts.put(name, value);
    }
    return opts;
  }

  private static String required(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null || value.isBlank() || value.startsWith("${")) {
      throw new IllegalArgumentException(
          "--"
              + name
              + " is missing"
              + ("package".equals(name) ? " (set <jooq.package> in the module's pom)" : "")
              + "; "
              + usage());
    }
    return value;
  }

  private static String usage() {
    return "usage: JooqCodegen --migrations=DIR --package=PKG --target=DIR [--schema=public]";
  }
}
