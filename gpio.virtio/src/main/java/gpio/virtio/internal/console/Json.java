// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.util.Locale;

/**
 * The JSON of the operator surfaces (RFC 8259): objects, arrays, strings,
 * numbers, booleans and null, written straight into a builder; every method
 * puts the separating comma itself, so callers only nest begin and end calls.
 * {@code <}, {@code >} and {@code &} are escaped too, so the text is safe
 * inside HTML. Too small a need for a JSON library in the bundle; one per answer.
 */
final class Json {

    private final StringBuilder out = new StringBuilder(256);
    private boolean first = true;

    Json beginObject() {
        comma();
        out.append('{');
        first = true;
        return this;
    }

    /** Begins an object as the value of member {@code name}. */
    Json beginObject(String name) {
        name(name);
        out.append('{');
        first = true;
        return this;
    }

    Json endObject() {
        out.append('}');
        first = false;
        return this;
    }

    /** Begins an array as the value of member {@code name}. */
    Json beginArray(String name) {
        name(name);
        out.append('[');
        first = true;
        return this;
    }

    Json endArray() {
        out.append(']');
        first = false;
        return this;
    }

    /** Begins an array as an element of the current array. */
    Json beginArray() {
        comma();
        out.append('[');
        first = true;
        return this;
    }

    /** A number element of the current array. */
    Json element(long value) {
        comma();
        out.append(value);
        return this;
    }

    /** A 0/1 level element of the current array, or null when unknown. */
    Json level(Boolean level) {
        comma();
        out.append(level == null ? "null" : level ? "1" : "0");
        return this;
    }

    /** A string element of the current array. */
    Json element(String value) {
        comma();
        string(value);
        return this;
    }

    Json field(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    Json field(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    Json field(String name, boolean value) {
        name(name);
        out.append(value);
        return this;
    }

    /** A 0/1 level, or null when unknown. */
    Json level(String name, Boolean level) {
        name(name);
        out.append(level == null ? "null" : level ? "1" : "0");
        return this;
    }

    private void name(String name) {
        comma();
        string(name);
        out.append(':');
    }

    private void comma() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
