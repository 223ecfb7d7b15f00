package dev.lattice.payments.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilientPaymentProviderTest {

  static final ChargeCommand COMMAND =
      new ChargeCommand("order-1", 100, "EUR", "tok_visa", "test", Map.of());

  @Test
  void keepsFailingTransiently_opensTheCircuit_andStopsCalling() {
    AtomicInteger calls = new AtomicInteger();
    ResilientPaymentProvider provider = new ResilientPaymentProvider(new Failing(calls, true));

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> provider.charge(COMMAND))
          .isInstanceOf(TransientProviderException.class);
    }
    assertThatThrownBy(() -> provider.charge(COMMAND))
        .isInstanceOfSatisfying(
            TransientProviderException.class, e -> assertThat(e.code()).isEqualTo("circuit_open"));
    assertThat(calls).hasValue(10);
  }

  @Test
  void permanentFailures_doNotOpenTheCircuit() {
    AtomicInteger calls = new AtomicInteger();
    ResilientPaymentProvider provider = new ResilientPaymentProvider(new Failing(calls, false));

    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> provider.charge(COMMAND))
          .isInstanceOf(PermanentProviderException.class);
    }
    assertThat(calls).hasValue(20);
  }

  /** A provider whose charges always fail, transiently or permanently. */
  record Failing(AtomicInteger calls, boolean transientFailure) implements PaymentProvider {

    @Override
    public String name() {
      return "failing";
    }

    @Override
    public ProviderCharge charge(ChargeCommand command) {
      calls.incrementAndGet();
      if (transientFailure) {
        throw new TransientProviderException("service_unavailable", "down", null);
      }
      throw new PermanentProviderException(400, "parameter_invalid", "bad");
    }

    @Override
    public ProviderCharge retrieveCharge(String chargeId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ProviderCharge> findCharge(String idempotencyKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ProviderRefund refund(RefundCommand command) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ProviderRefund retrieveRefund(String refundId) {
      throw new UnsupportedOperationException();
    }
  }
}
