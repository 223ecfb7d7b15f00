package dev.lattice.identity.events;

import dev.lattice.identity.accounts.AccountMail;
import dev.lattice.identity.v1.AccountMailRequested;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.PermanentEventException;
import java.util.UUID;

/**
 * AccountMailRequested, consumed by identity itself off the request path: a verification mail
 * ({@link AccountMail#sendVerification}) or a reset mail ({@link AccountMail#sendReset}) in the
 * consumer's transaction. Stateless and thread-safe.
 */
public final class AccountMailHandler implements EventHandler<AccountMailRequested> {

  private final AccountMail mail;

  public AccountMailHandler(AccountMail mail) {
    this.mail = mail;
  }

  /**
   * @throws PermanentEventException for a kind of mail identity does not know
   */
  @Override
  public void handle(EventContext context, AccountMailRequested request) {
    UUID tenantId = UUID.fromString(context.envelope().getTenantId());
    switch (request.getKind()) {
      case ACCOUNT_MAIL_KIND_VERIFICATION ->
          mail.sendVerification(
              context.tx(), tenantId, request.getEmail(), context.envelope().getActor());
      case ACCOUNT_MAIL_KIND_PASSWORD_RESET ->
          mail.sendReset(context.tx(), tenantId, request.getEmail(), context.envelope().getActor());
      default ->
          throw new PermanentEventException("unknown account mail kind " + request.getKind());
    }
  }
}
