package io.barco.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest as OCI writes it, {@code sha256:} and 64 lower-case hex digits; the only algorithm barco takes. */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + hex);
        }
    }

    /** {@code sha256:HEX}; anything else (another algorithm, a malformed digest) is an {@link ImageException}. */
    public static Digest parse(String text, String what) {
        if (text != null
                && text.startsWith("sha256:")
                && HEX.matcher(text.substring(7)).matches()) {
            return new Digest(text.substring(7));
        }
        throw new ImageException(what + " has the digest '" + abbreviate(text)
                + "', which is not sha256:<64 hex digits>: barco checks sha256 digests only");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    static Digest of(MessageDigest digest) {
        return new Digest(HexFormat.of().formatHex(digest.digest()));
    }

    public static Digest of(byte[] bytes) {
        MessageDigest d = sha256();
        d.update(bytes);
        return of(d);
    }

    /** The first 12 hex digits, as {@code barco images} shows an id. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
