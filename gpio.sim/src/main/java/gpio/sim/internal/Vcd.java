// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.io.IOException;
import java.util.List;

import gpio.sim.LevelChange;

/**
 * Writes a recording as a Value Change Dump (IEEE 1364-2005 section 18): a header
 * declaring one 1-bit wire per line inside a scope named after the chip, the
 * starting levels under {@code $dumpvars} at time 0, then {@code #<time>}
 * followed by {@code 0<id>} or {@code 1<id>} for each change; times in
 * nanoseconds from the start of the recording.
 */
final class Vcd {

    /** Identifier codes are strings of the printable ASCII characters '!' to '~'. */
    private static final char FIRST_ID_CHAR = '!';
    private static final int ID_CHARS = '~' - '!' + 1;

    private Vcd() {
    }

    static void write(String label, Recording.Snapshot recording, Appendable out) throws IOException {
        List<String> names = recording.names();
        String[] ids = new String[names.size()];
        out.append("$version gpio.sim $end\n");
        out.append("$timescale 1ns $end\n");
        out.append("$scope module ").append(reference(label)).append(" $end\n");
        for (int offset = 0; offset < ids.length; offset++) {
            ids[offset] = identifier(offset);
            out.append("$var wire 1 ").append(ids[offset]).append(' ').append(wireName(offset, names.get(offset)))
                    .append(" $end\n");
        }
        out.append("$upscope $end\n");
        out.append("$enddefinitions $end\n");
        out.append("#0\n$dumpvars\n");
        boolean[] levels = recording.startLevels();
        for (int offset = 0; offset < ids.length; offset++) {
            out.append(levels[offset] ? '1' : '0').append(ids[offset]).append('\n');
        }
        out.append("$end\n");
        long lastTime = 0;
        for (LevelChange change : recording.changes()) {
            // Changes are recorded in order under the chip's lock, so times never go back.
            long time = Math.max(lastTime, change.timestampNanos() - recording.startNanos());
            if (time != lastTime) {
                out.append('#').append(Long.toString(time)).append('\n');
                lastTime = time;
            }
            out.append(change.level() ? '1' : '0').append(ids[change.offset()]).append('\n');
        }
    }

    /** The shortest code in base 94 over '!'..'~': offset 0 is "!", 93 is "~", 94 is "!!"... */
    static String identifier(int offset) {
        StringBuilder id = new StringBuilder(2);
        int n = offset;
        do {
            id.append((char) (FIRST_ID_CHAR + n % ID_CHARS));
            n = n / ID_CHARS - 1;
        } while (n >= 0);
        return id.toString();
    }

    /** "line3" or "line3_RESET": names may hold spaces and symbols that wave viewers split on. */
    static String wireName(int offset, String name) {
        return name.isEmpty() ? "line" + offset : "line" + offset + "_" + reference(name);
    }

    private static String reference(String text) {
        StringBuilder reference = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            reference.append(Character.isLetterOrDigit(c) && c < 0x80 || c == '_' ? c : '_');
        }
        return reference.toString();
    }
}
