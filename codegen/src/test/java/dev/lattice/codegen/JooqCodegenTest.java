package dev.lattice.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.codegen.JooqCodegen.Outcome;
import dev.lattice.codegen.JooqCodegen.Request;
import java.io.File;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class JooqCodegenTest {
  private static final String PACKAGE = "dev.lattice.sample.store.jooq";

  private static final String V1 =
      """
      CREATE TYPE order_status AS ENUM ('PENDING', 'CONFIRMED', 'CANCELLED');

      CREATE TABLE orders (
        id          uuid PRIMARY KEY,
        tenant_id   text NOT NULL,
        status      order_status NOT NULL DEFAULT 'PENDING',
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
        receipt     bytea,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        version     int NOT NULL DEFAULT 0
      );

      CREATE UNIQUE INDEX orders_one_pending_per_tenant
        ON orders (tenant_id) WHERE status = 'PENDING';

      CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.updated_at := now();
        NEW.version := OLD.version + 1;
        RETURN NEW;
      END;
      $$;

      CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
        FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
      """;

  private static final String V2 =
      """
      CREATE TABLE outbox (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        payload    bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      """;

  @TempDir Path dir;

  @Test
  void migrations_generateTypedTables_thenUnchangedRunIsSkipped_changedRunRegenerates()
      throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(migrations.resolve("V001__create_orders.sql"), V1);
    Path target = dir.resolve("generated-sources/jooq");
    Request request = new Request(migrations, PACKAGE, target, "public");

    assertThat(JooqCodegen.generate(request)).isEqualTo(Outcome.GENERATED);

    Path pkg = target.resolve(PACKAGE.replace('.', '/'));
    String table = Files.readString(pkg.resolve("tables/Orders.java"));
    assertThat(table)
        .contains("TableField<OrdersRecord, UUID> ID")
        .contains("TableField<OrdersRecord, JSONB> ATTRIBUTES")
        .contains("TableField<OrdersRecord, OffsetDateTime> CREATED_AT")
        .contains("TableField<OrdersRecord, byte[]> RECEIPT")
        .contains("TableField<OrdersRecord, Long> TOTAL_CENTS")
        .contains("TableField<OrdersRecord, OrderStatus> STATUS")
        .contains("orders_total_cents_check");
    assertThat(pkg.resolve("tables/records/OrdersRecord.java")).exists();
    assertThat(pkg.resolve("enums/OrderStatus.java")).exists();
    assertThat(Files.readString(pkg.resolve("Indexes.java")))
        .contains("ORDERS_ONE_PENDING_PER_TENANT");
    assertThat(javaFiles(target)).noneMatch(p -> p.toString().toLowerCase().contains("history"));
    assertCompiles(target);

    long stampTime = Files.getLastModifiedTime(target.resolve(JooqCodegen.STAMP_FILE)).toMillis();
    long started = System.nanoTime();
    assertThat(JooqCodegen.generate(request)).isEqualTo(Outcome.UP_TO_DATE);
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_000);
    assertThat(Files.getLastModifiedTime(target.resolve(JooqCodegen.STAMP_FILE)).toMillis())
        .isEqualTo(stampTime);

    Files.writeString(migrations.resolve("V002__create_outbox.sql"), V2);
    assertThat(JooqCodegen.generate(request)).isEqualTo(Outcome.GENERATED);
    assertThat(pkg.resolve("tables/Outbox.java")).exists();
    assertThat(pkg.resolve("tables/Orders.java")).exists();
  }

  @Test
  void missingOrEmptyMigrationsDirectory_generatesNothing() throws Exception {
    Path target = dir.resolve("out");
    assertThat(JooqCodegen.generate(new Request(dir.resolve("absent"), PACKAGE, target, "public")))
        .isEqualTo(Outcome.NO_MIGRATIONS);
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThat(JooqCodegen.generate(new Request(empty, PACKAGE, target, "public")))
        .isEqualTo(Outcome.NO_MIGRATIONS);
    assertThat(target).doesNotExist();
  }

  @Test
  void brokenMigration_failsWithFlywaysReason_andWritesNoStamp() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        migrations.resolve("V001__broken.sql"),
        "CREATE TABLE t (id uuid PRIMARY KEY, x nosuchtype);");
    Path target = dir.resolve("out");

    assertThatThrownBy(
            () -> JooqCodegen.generate(new Request(migrations, PACKAGE, target, "public")))
        .hasMessageContaining("nosuchtype");
    assertThat(target.resolve(JooqCodegen.STAMP_FILE)).doesNotExist();
  }

  @Test
  void main_withoutPackage_namesThePomProperty() {
    assertThatThrownBy(
            () ->
                JooqCodegen.main(
                    new String[] {"--migrations=x", "--package=${jooq.package}", "--target=y"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<jooq.package>");
    assertThatThrownBy(() -> JooqCodegen.main(new String[] {"--bogus=1"}))
        .hasMessageContaining("unknown option --bogus");
  }

  private static List<Path> javaFiles(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".java")).toList();
    }
  }

  /** The generated classes compile against jOOQ, as the module's own build will compile them. */
  private void assertCompiles(Path sources) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(dir.resolve("classes"));
    var files = javac.getStandardFileManager(null, null, null);
    var units = files.getJavaFileObjectsFromPaths(javaFiles(sources));
    StringWriter errors = new StringWriter();
    boolean ok =
        javac
            .getTask(
                errors,
                files,
                null,
                List.of(
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    classes.toString(),
                    "-proc:none",
                    "--release",
                    "21"),
                null,
                units)
            .call();
    assertThat(ok).as("javac: %s", errors).isTrue();
    assertThat(classes.resolve(PACKAGE.replace('.', File.separatorChar) + "/tables/Orders.class"))
        .exists();
  }
}
