// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the configuration asks of a device, checked.
 *
 * @param lines the controller offsets of guest lines 0, 1, ...; {@code null}
 *        for every line of the first controller bound
 * @param names names that replace the controller's, by controller offset
 * @param consumer the consumer name the device requests lines under
 * @param interrupts whether {@code VIRTIO_GPIO_F_IRQ} is offered
 * @param requestTimeout how long a controller call may take before the guest
 *        gets ERR
 */
record DeviceOptions(int[] lines, Map<Integer, String> names, String consumer, boolean interrupts,
        Duration requestTimeout) {

    /** The most lines a virtio-gpio device can have ({@code le16 ngpio}). */
    static final int MAX_LINES = 0xFFFF;

    /**
     * Parses a line selection such as {@code 0-7,12}.
     *
     * @param text the selection, empty for all lines
     * @return the offsets in ascending order, {@code null} for all lines
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    static int[] parseLines(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        TreeSet<Integer> offsets = new TreeSet<>();
        for (String part : trimmed.split(",")) {
            String item = part.trim();
            int dash = item.indexOf('-');
            int first = parseOffset("lines", dash < 0 ? item : item.substring(0, dash), text);
            int last = dash < 0 ? first : parseOffset("lines", item.substring(dash + 1), text);
            if (last < first) {
                throw new IllegalArgumentException("lines: range \"" + item + "\" runs backwards");
            }
            if ((long) last - first + 1 + offsets.size() > MAX_LINES) {
                throw new IllegalArgumentException("lines: more than " + MAX_LINES + " lines selected");
            }
            for (int offset = first; offset <= last; offset++) {
                offsets.add(offset);
            }
        }
        return offsets.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int parseOffset(String property, String text, String whole) {
        try {
            int offset = Integer.parseInt(text.trim());
            if (offset < 0) {
                throw new NumberFormatException();
            }
            return offset;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + ": \"" + text.trim() + "\" in \"" + whole
                    + "\" is not a line offset (a number from 0)", e);
        }
    }

    /**
     * Parses name overrides such as {@code 3=LED}, one per entry.
     *
     * @param entries the entries; blank ones are ignored
     * @return the names by controller offset
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    static Map<Integer, String> parseNames(String[] entries) {
        Map<Integer, String> names = new HashMap<>();
        Map<String, Integer> owners = new HashMap<>();
        for (String entry : entries) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("line.names: \"" + entry + "\" is not of the form offset=name");
            }
            int offset = parseOffset("line.names", entry.substring(0, equals), entry);
            String name = entry.substring(equals + 1).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("line.names: \"" + entry + "\" gives no name");
            }
            String problem = LineNames.problem(name);
            if (problem != null) {
                throw new IllegalArgumentException("line.names: name \"" + name + "\" is unusable: " + problem);
            }
            if (names.put(offset, name) != null) {
                throw new IllegalArgumentException("line.names: line " + offset + " is named twice");
            }
            Integer other = owners.put(name, offset);
            if (other != null) {
                throw new IllegalArgumentException("line.names: lines " + other + " and " + offset
                        + " are both named \"" + name + "\"; names must be unique");
            }
        }
        return Collections.unmodifiableMap(names);
    }
}
