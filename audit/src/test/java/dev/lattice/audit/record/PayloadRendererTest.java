package dev.lattice.audit.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.SigningKeyRotated;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.platform.events.EventPayloadTypes;
import org.junit.jupiter.api.Test;

class PayloadRendererTest {

  private final PayloadRenderer renderer = new PayloadRenderer(EventPayloadTypes.registry());

  @Test
  void sensitiveFields_areClearedInTheBytesAndTheJson() throws Exception {
    RenderedPayload rendered =
        renderer.render(
            envelope(
                EmailVerificationRequested.newBuilder()
                    .setUserId("u")
                    .setToken("secret-token")
                    .build()));

    assertThat(rendered.payload().unpack(EmailVerificationRequested.class).getToken()).isEmpty();
    assertThat(rendered.json())
        .hasValueSatisfying(json -> assertThat(json).isEqualTo("{\"user_id\":\"u\"}"));
    assertThat(rendered.oldValues()).isEmpty();
    assertThat(rendered.newValues()).isEmpty();
  }

  @Test
  void tenantCreated_keepsWhoBecameItsAdmin() {
    // Addresses are personal data, not secrets: like UserRegistered.email they stay on record.
    RenderedPayload rendered =
        renderer.render(
            envelope(
                TenantCreated.newBuilder()
                    .setTenantId("t")
                    .setSlug("platform")
                    .setInitialAdminUserId("u")
                    .setInitialAdminEmail("root@platform.test")
                    .setInitialAdminDisplayName("Root")
                    .setInitialAdminLocale("en")
                    .build()));

    assertThat(rendered.json())
        .hasValueSatisfying(
            json ->
                assertThat(json)
                    .isEqualTo(
                        "{\"tenant_id\":\"t\",\"slug\":\"platform\",\"initial_admin_user_id\":\"u\","
                            + "\"initial_admin_email\":\"root@platform.test\",\"initial_admin_display_name\":\"Root\","
                            + "\"initial_admin_locale\":\"en\"}"));
    assertThat(rendered.oldValues()).isEmpty();
    assertThat(rendered.newValues()).isEmpty();
  }

  @Test
  void changedFields_giveTheNewValuesOfTheMaskedPaths() {
    RenderedPayload rendered =
        renderer.render(
            envelope(
                ProductUpdated.newBuilder()
                    .setProduct(Product.newBuilder().setId("p").setName("New").setSku("S"))
                    .setChangedFields(
                        FieldMask.newBuilder().addPaths("name").addPaths("description"))
                    .build()));

    assertThat(rendered.newValues()).contains("{\"name\":\"New\",\"description\":null}");
    assertThat(rendered.oldValues()).isEmpty();
  }

  @Test
  void previousFields_giveOldValues_andNewValuesWhenTheFieldExists() {
    RenderedPayload rendered =
        renderer.render(
            envelope(SigningKeyRotated.newBuilder().setKid("k2").setPreviousKid("k1").build()));

    assertThat(rendered.oldValues()).contains("{\"kid\":\"k1\"}");
    assertThat(rendered.newValues()).contains("{\"kid\":\"k2\"}");
  }

  @Test
  void unknownPayloadType_keepsOnlyItsTypeUrl() {
    Any unknown =
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/acme.Secret")
            .setValue(ByteString.copyFromUtf8("password=hunter2"))
            .build();

    RenderedPayload rendered = renderer.render(Envelope.newBuilder().setPayload(unknown).build());

    assertThat(rendered.payload().getTypeUrl()).isEqualTo("type.googleapis.com/acme.Secret");
    assertThat(rendered.payload().getValue()).isEmpty();
    assertThat(rendered.json()).isEmpty();
  }

  private static Envelope envelope(com.google.protobuf.Message payload) {
    return Envelope.newBuilder().setPayload(Any.pack(payload)).build();
  }
}
