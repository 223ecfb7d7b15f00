package dev.lattice.mesh;

import com.google.gson.JsonObject;
import java.util.regex.Pattern;

/**
 * Accounts made the way a browser makes them, through the edge's JSON API: register, read the
 * verification mail, verify; sign in. Every account is in tenant {@code platform}.
 */
final class EdgeAccounts {

  static final String TENANT = "platform";
  private static final Pattern VERIFY_CODE = Pattern.compile("enter this code: (\\S+)");

  private final JsonApi api;
  private final MailSource mail;

  EdgeAccounts(JsonApi api, MailSource mail) {
    this.api = api;
    this.mail = mail;
  }

  /** Registers {@code email}, verifies it with the code from its mail, and returns the user. */
  JsonObject registerAndVerify(String email, String password, String displayName) {
    JsonObject register = credentials(email, password);
    register.addProperty("displayName", displayName);
    api.post("/v1/auth:register").json(register).expect(200);
    JsonObject verify = new JsonObject();
    verify.addProperty("token", mail.awaitCode(email, VERIFY_CODE));
    return api.post("/v1/auth:verifyEmail").json(verify).expect(200).body().getAsJsonObject("user");
  }

  /** Signs in; the LoginResponse. */
  JsonObject login(String email, String password) {
    return api.post("/v1/auth:login").json(credentials(email, password)).expect(200).body();
  }

  /** The body of Login (and the start of Register's). */
  static JsonObject credentials(String email, String password) {
    JsonObject body = new JsonObject();
    body.addProperty("tenantSlug", TENANT);
    body.addProperty("email", email);
    body.addProperty("password", password);
    return body;
  }
}
