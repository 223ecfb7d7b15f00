package dev.lattice.identity.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts signing keys' private parts at rest with AES-256-GCM under a key-encryption key from the
 * environment ({@code LATTICE_IDENTITY_KEK}, 32 bytes in base64). The key id is bound as associated
 * data, so a ciphertext copied onto another key's row does not decrypt. Layout: {@code 0x01 |
 * 12-byte nonce | ciphertext+tag}.
 */
public final class KeyEncryption {

  private static final byte FORMAT = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec kek;

  private KeyEncryption(byte[] kek) {
    this.kek = new SecretKeySpec(kek, "AES");
  }

  /**
   * The encryption under {@code base64Kek}.
   *
   * @throws IllegalArgumentException when it is not base64 of exactly 32 bytes
   */
  public static KeyEncryption fromBase64(String base64Kek) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64Kek.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("LATTICE_IDENTITY_KEK is not base64");
    }
    if (key.length != 32) {
      throw new IllegalArgumentException(
          "LATTICE_IDENTITY_KEK must hold 32 bytes (AES-256), it holds " + key.length);
    }
    return new KeyEncryption(key);
  }

  /** A random key-encryption key in base64, for {@code ./mesh} and tests. */
  public static String randomBase64Kek() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** Encrypts {@code plaintext} bound to {@code kid}. */
  public byte[] encrypt(String kid, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
          .put(FORMAT)
          .put(nonce)
          .put(sealed)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts what {@link #encrypt} made for {@code kid}.
   *
   * @throws IllegalStateException when the key-encryption key or the kid does not match
   */
  public byte[] decrypt(String kid, byte[] stored) {
    if (stored.length < 1 + NONCE_BYTES + TAG_BITS / 8 || stored[0] != FORMAT) {
      throw new IllegalStateException("signing key " + kid + ": unknown encryption format");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
      cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "signing key "
              + kid
              + " does not decrypt: LATTICE_IDENTITY_KEK differs from the one it was stored with");
    }
  }
}
