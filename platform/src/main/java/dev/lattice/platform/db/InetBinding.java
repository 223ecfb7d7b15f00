package dev.lattice.platform.db;

import java.sql.SQLException;
import java.sql.Types;
import java.util.Objects;
import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;

/**
 * Maps PostgreSQL {@code inet} columns to {@link String} for generated jOOQ classes: values bind as
 * text with an explicit {@code ::inet} cast, so PostgreSQL parses (and validates) the address, and
 * read back in PostgreSQL's canonical text form ({@code 192.0.2.1}, {@code 2001:db8::1}). The jOOQ
 * code generator applies it to every {@code inet} column (see {@code JooqConfiguration} in
 * codegen).
 */
public final class InetBinding implements Binding<Object, String> {

  private static final Converter<Object, String> CONVERTER =
      Converter.ofNullable(Object.class, String.class, Object::toString, value -> value);

  @Override
  public Converter<Object, String> converter() {
    return CONVERTER;
  }

  @Override
  public void sql(BindingSQLContext<String> ctx) {
    if (ctx.render().paramType() == ParamType.INLINED) {
      ctx.render().visit(DSL.inline(ctx.convert(converter()).value())).sql("::inet");
    } else {
      ctx.render().sql(ctx.variable()).sql("::inet");
    }
  }

  @Override
  public void register(BindingRegisterContext<String> ctx) throws SQLException {
    ctx.statement().registerOutParameter(ctx.index(), Types.VARCHAR);
  }

  @Override
  public void set(BindingSetStatementContext<String> ctx) throws SQLException {
    ctx.statement()
        .setString(ctx.index(), Objects.toString(ctx.convert(converter()).value(), null));
  }

  @Override
  public void get(BindingGetResultSetContext<String> ctx) throws SQLException {
    ctx.convert(converter()).value(ctx.resultSet().getString(ctx.index()));
  }

  @Override
  public void get(BindingGetStatementContext<String> ctx) throws SQLException {
    ctx.convert(converter()).value(ctx.statement().getString(ctx.index()));
  }

  @Override
  public void set(BindingSetSQLOutputContext<String> ctx) throws SQLException {
    throw new SQLException("inet is not supported in SQLData");
  }

  @Override
  public void get(BindingGetSQLInputContext<String> ctx) throws SQLException {
    throw new SQLException("inet is not supported in SQLData");
  }
}
