// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

/**
 * Just enough JSON output for the status of the GPIO page: objects, arrays,
 * strings, numbers and booleans appended to one {@link StringBuilder}, commas
 * placed by the writer. Not thread-safe: one per response.
 */
final class JsonWriter {

    private final StringBuilder out = new StringBuilder();
    /** Whether the next value in the current object or array needs a comma before it. */
    private boolean comma;

    JsonWriter beginObject() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        comma = true;
        return this;
    }

    JsonWriter beginArray() {
        separate();
        out.append('[');
        comma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    /** Writes a member name; the value follows. */
    JsonWriter name(String name) {
        separate();
        string(name);
        out.append(':');
        comma = false;
        return this;
    }

    JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        comma = true;
        return this;
    }

    JsonWriter value(long value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    JsonWriter value(boolean value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (comma) {
            out.append(',');
            comma = false;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    // Also escapes < and > so that the text is safe inside HTML.
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
