// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A checked configuration of one simulated chip. Every check failure is an
 * {@link IllegalArgumentException} whose message says exactly what is wrong,
 * naming the property.
 */
final class SimConfig {

    static final int MAX_LINES = 1024;
    /** The kernel's line names are 32 bytes with the terminating NUL ({@code GPIO_MAX_NAME_SIZE}). */
    static final int MAX_NAME_LENGTH = 31;
    static final int MAX_RECORDING_LIMIT = 10_000_000;
    static final Duration MAX_LATENCY = Duration.ofMinutes(1);
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    final String label;
    final int lineCount;
    /** One entry per line, empty for no name. */
    final List<String> names;
    /** One entry per line: whether it is pulled up. */
    private final boolean[] pullUps;
    final Duration latency;
    final int recordingLimit;

    private SimConfig(String label, int lineCount, List<String> names, boolean[] pullUps, Duration latency,
            int recordingLimit) {
        this.label = label;
        this.lineCount = lineCount;
        this.names = names;
        this.pullUps = pullUps;
        this.latency = latency;
        this.recordingLimit = recordingLimit;
    }

    static SimConfig from(SimConfiguration configuration) {
        return of(configuration.label(), configuration.line_count(), configuration.line_names(),
                configuration.line_pulls(), Duration.ofNanos(configuration.latency_us() * 1000L),
                configuration.recording_limit());
    }

    /**
     * Checks and normalizes plain values.
     *
     * @param names names from offset 0, at most {@code lineCount}; {@code null} for none
     * @param pulls "up" or "down" from offset 0, at most {@code lineCount}; {@code null} for none
     * @throws IllegalArgumentException saying what is wrong
     */
    static SimConfig of(String label, int lineCount, String[] names, String[] pulls, Duration latency,
            int recordingLimit) {
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("label " + quote(label) + " is not 1 to 64 characters among letters,"
                    + " digits, '.', '_' and '-' starting with a letter or digit");
        }
        if (lineCount < 1 || lineCount > MAX_LINES) {
            throw new IllegalArgumentException("line.count " + lineCount + " is not between 1 and " + MAX_LINES);
        }
        if (latency.isNegative() || latency.compareTo(MAX_LATENCY) >= 0) {
            throw new IllegalArgumentException("latency " + latency + " is not between 0 and less than a minute");
        }
        if (recordingLimit < 1 || recordingLimit > MAX_RECORDING_LIMIT) {
            throw new IllegalArgumentException(
                    "recording.limit " + recordingLimit + " is not between 1 and " + MAX_RECORDING_LIMIT);
        }
        return new SimConfig(label, lineCount, checkNames(names, lineCount), checkPulls(pulls, lineCount), latency,
                recordingLimit);
    }

    private static List<String> checkNames(String[] given, int lineCount) {
        String[] names = new String[lineCount];
        Arrays.fill(names, "");
        if (given == null) {
            return List.of(names);
        }
        if (given.length > lineCount) {
            throw new IllegalArgumentException("line.names has " + given.length + " entries but line.count is "
                    + lineCount);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int offset = 0; offset < given.length; offset++) {
            String name = given[offset] == null ? "" : given[offset];
            if (name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("line.names[" + offset + "] " + quote(name) + " is longer than "
                        + MAX_NAME_LENGTH + " characters");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw new IllegalArgumentException("line.names[" + offset + "] " + quote(name)
                            + " has a character that is not printable 7-bit ASCII at index " + i + " (U+"
                            + String.format(Locale.ROOT, "%04X", (int) c) + ")");
                }
            }
            if (!name.isEmpty()) {
                Integer earlier = seen.putIfAbsent(name, offset);
                if (earlier != null) {
                    throw new IllegalArgumentException("line.names[" + offset + "] " + quote(name)
                            + " is already the name of line " + earlier);
                }
            }
            names[offset] = name;
        }
        return List.of(names);
    }

    private static boolean[] checkPulls(String[] given, int lineCount) {
        boolean[] pullUps = new boolean[lineCount];
        if (given == null) {
            return pullUps;
        }
        if (given.length > lineCount) {
            throw new IllegalArgumentException("line.pulls has " + given.length + " entries but line.count is "
                    + lineCount);
        }
        for (int offset = 0; offset < given.length; offset++) {
            String pull = given[offset] == null ? "" : given[offset].trim().toLowerCase(Locale.ROOT);
            switch (pull) {
                case "up" -> pullUps[offset] = true;
                case "down", "" -> pullUps[offset] = false;
                default -> throw new IllegalArgumentException("line.pulls[" + offset + "] " + quote(given[offset])
                        + " is neither 'up' nor 'down'");
            }
        }
        return pullUps;
    }

    boolean pullUp(int offset) {
        return pullUps[offset];
    }

    /** Quotes a value for a message, shortened and escaped as {@link Levels#printable} does: one line always. */
    private static String quote(String s) {
        return s == null ? "(missing)" : "'" + Levels.printable(s) + "'";
    }
}
