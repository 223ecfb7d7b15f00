package dev.lattice.platform.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoFixture;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.NoteLine;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ValidationInterceptorIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static Database database;
  private static EchoFixture echo;

  @BeforeAll
  static void start() {
    database = Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", "validation-it"));
    Migrations.migrate(database.dataSource());
    echo = EchoFixture.start(new EchoServiceImpl(database.dsl()), Telemetry.noop());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    echo.close();
    database.close();
  }

  @BeforeEach
  void emptyTable() {
    database.dsl().execute("truncate notes");
  }

  @Test
  void createNote_invalidFields_returnsInvalidArgumentNamingEachField_andStoresNothing() {
    CreateNoteRequest request =
        CreateNoteRequest.newBuilder()
            .setTitle("")
            .addTags("ok")
            .addTags("")
            .addLines(NoteLine.newBuilder().setQuantity(1))
            .addLines(NoteLine.newBuilder().setQuantity(0))
            .build();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> echo.stub().createNote(request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("INVALID_ARGUMENT");
    assertThat(Rpc.errorInfo(e).getDomain()).isEqualTo("lattice.dev");
    assertThat(Rpc.badRequest(e).getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .containsExactlyInAnyOrder("title", "tags[1]", "lines[1].quantity");
    assertThat(Rpc.badRequest(e).getFieldViolationsList())
        .allSatisfy(v -> assertThat(v.getDescription()).isNotBlank());
    assertThat(echo.service.createNoteCalls()).isZero();
    assertThat(database.dsl().fetchCount(database.dsl().selectFrom("notes"))).isZero();
  }

  @Test
  void createNote_titleTooLong_isRejectedWithTheRuleMessage() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                echo.stub()
                    .createNote(CreateNoteRequest.newBuilder().setTitle("x".repeat(101)).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    BadRequest.FieldViolation violation = Rpc.badRequest(e).getFieldViolations(0);
    assertThat(violation.getField()).isEqualTo("title");
    assertThat(violation.getDescription()).contains("100");
    assertThat(database.dsl().fetchCount(database.dsl().selectFrom("notes"))).isZero();
  }

  @Test
  void createNote_validRequest_reachesHandlerAndStoresRow() {
    long id =
        echo.stub()
            .createNote(
                CreateNoteRequest.newBuilder()
                    .setTitle("groceries")
                    .addTags("home")
                    .addLines(NoteLine.newBuilder().setQuantity(2))
                    .build())
            .getId();

    assertThat(id).isPositive();
    assertThat(database.dsl().fetchValue("select title from notes where id = ?", id))
        .isEqualTo("groceries");
  }
}
