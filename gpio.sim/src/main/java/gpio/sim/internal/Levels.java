// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.util.Locale;

/** Levels as operators type them, for the Gogo commands and the HTTP API. */
public final class Levels {

    private Levels() {
    }

    /**
     * Parses "0" or "1" (also "low" and "high"), ignoring surrounding white space.
     *
     * @throws IllegalArgumentException for anything else, saying what is expected
     */
    public static boolean parse(String text) {
        String level = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (level) {
            case "1", "high" -> true;
            case "0", "low" -> false;
            default -> throw new IllegalArgumentException("a level is 0 or 1 (or low or high), not '"
                    + printable(text) + "'");
        };
    }

    public static String format(boolean level) {
        return level ? "1" : "0";
    }

    /** Text from a user, shortened and with anything unprintable escaped, to be echoed in a message. */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 40; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format(Locale.ROOT, "\\u%04x", (int) c));
        }
        return text.length() > 40 ? out + "..." : out.toString();
    }
}
