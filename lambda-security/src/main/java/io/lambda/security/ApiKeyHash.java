package io.lambda.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a presented key: what is stored, and what a presented key is compared with. */
public final class ApiKeyHash {

    private ApiKeyHash() {
    }

    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** Prints the hash of the key given as argument: {@code java -cp lambda-security.jar io.lambda.security.ApiKeyHash KEY}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ApiKeyHash KEY");
            System.exit(2);
        }
        System.out.println(sha256Hex(args[0]));
    }
}
