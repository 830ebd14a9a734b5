// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Checks a password against the form in which the Apache Felix Web Console
 * stores its {@code password}: either plain text, or
 * {@code {algorithm}[salt-[iterations-]]base64(hash)}, where the hash is the
 * message digest of {@code salt + password} (UTF-8) applied {@code iterations}
 * times (once when not given), for example
 * {@code {sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=} for "admin".
 * Comparisons take the same time whatever matches.
 */
final class ConsolePassword {

    private static final char SEPARATOR = '-';

    private ConsolePassword() {
    }

    static boolean matches(String stored, String given) {
        int end = stored.startsWith("{") ? stored.indexOf('}') : -1;
        if (end <= 0) {
            return MessageDigest.isEqual(utf8(stored), utf8(given));
        }
        String algorithm = stored.substring(1, end);
        String rest = stored.substring(end + 1);
        String salt = "";
        int iterations = 1;
        int saltEnd = rest.indexOf(SEPARATOR);
        if (saltEnd >= 0) {
            salt = rest.substring(0, saltEnd);
            rest = rest.substring(saltEnd + 1);
            int iterationsEnd = rest.indexOf(SEPARATOR);
            if (iterationsEnd >= 0) {
                try {
                    iterations = Integer.parseInt(rest.substring(0, iterationsEnd));
                } catch (NumberFormatException e) {
                    return false;
                }
                rest = rest.substring(iterationsEnd + 1);
            }
        }
        if (iterations < 1) {
            return false;
        }
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(rest);
        } catch (IllegalArgumentException e) {
            return false;
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
        byte[] hash = utf8(salt + given);
        for (int i = 0; i < iterations; i++) {
            digest.reset();
            hash = digest.digest(hash);
        }
        return MessageDigest.isEqual(expected, hash);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
