// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which controller line each guest line is, and what the operator allows on it,
 * checked: the properties {@code lines}, {@code line.names},
 * {@code lines.readonly} and {@code safe.state}.
 *
 * <p>Two forms of {@code lines}:
 * <ul>
 * <li><em>plain</em> (no entry names a controller): offsets of the one
 *     controller {@code controller.target} chooses, {@code 0-7,12}, in
 *     ascending order, duplicates merged (as it always was); empty for every
 *     line of the first controller bound. Lines are named in the other
 *     properties by offset.</li>
 * <li><em>composed</em> (every entry names its controller by label):
 *     {@code sim0:0-3, board:5, board:7-8}, guest lines numbered from 0 in the
 *     order given; a line listed twice is refused. Each label is bound on its
 *     own ({@link #labels()}); lines are named in the other properties as
 *     {@code label:offset}.</li>
 * </ul>
 * In both forms the policy properties may also name a line by a name given in
 * {@code line.names}. Everything here is keyed by guest line number.
 *
 * @param labels the controller labels of a composed map in order of first use
 *        (source {@code i} is {@code labels[i]}); empty for a plain map, whose
 *        one source is the controller {@code controller.target} chooses
 * @param sources the source of each guest line; {@code null} for a plain map
 * @param offsets the controller offset of each guest line; {@code null} for
 *        every line of the first controller bound
 * @param names names that replace the controller's, by guest line
 * @param readOnly the guest lines the guest may read and watch but not drive
 * @param safeStates the safe state of guest lines that have one other than
 *        {@link SafeState#RELEASE}
 */
record LineMap(List<String> labels, List<Integer> sources, List<Integer> offsets, Map<Integer, String> names,
        Set<Integer> readOnly, Map<Integer, SafeState> safeStates) {

    /** The most lines a virtio-gpio device can have ({@code le16 ngpio}). */
    static final int MAX_LINES = 0xFFFF;

    /** A controller label as gpio.sim and gpio.cdev allow it. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * Every line of one controller, with name overrides by offset and no
     * policy: what a device had before compositions (for tests).
     *
     * @param offsets the controller offsets, {@code null} for every line
     * @param names names by guest line
     * @return the map
     */
    static LineMap plain(int[] offsets, Map<Integer, String> names) {
        return new LineMap(List.of(), null, offsets == null ? null : boxed(offsets), names, Set.of(), Map.of());
    }

    /**
     * Parses and checks the line properties of a device.
     *
     * @param lines {@code lines}
     * @param names {@code line.names}, entries {@code line=name}
     * @param readOnly {@code lines.readonly}, a list like {@code lines}
     * @param safeStates {@code safe.state}, entries {@code line=state}, several
     *        per entry separated by commas
     * @return the map
     * @throws IllegalArgumentException naming the property and what is wrong
     */
    static LineMap parse(String lines, String[] names, String readOnly, String[] safeStates) {
        Parser parser = new Parser();
        parser.lines(lines == null ? "" : lines);
        parser.names(names == null ? new String[0] : names);
        parser.readOnly(readOnly == null ? "" : readOnly);
        parser.safeStates(safeStates == null ? new String[0] : safeStates);
        return new LineMap(List.copyOf(parser.labels), parser.sources == null ? null : List.copyOf(parser.sources),
                parser.offsets == null ? null : List.copyOf(parser.offsets), Collections.unmodifiableMap(parser.names),
                Collections.unmodifiableSet(new TreeSet<>(parser.readOnly)),
                Collections.unmodifiableMap(parser.safeStates));
    }

    /**
     * Whether {@code lines} names controllers by label.
     *
     * @return {@code true} for a composed map
     */
    boolean composed() {
        return !labels.isEmpty();
    }

    /**
     * How many controllers the map draws from.
     *
     * @return at least 1
     */
    int sourceCount() {
        return Math.max(1, labels.size());
    }

    /**
     * The guest lines' controller offsets as an array.
     *
     * @return the offsets, {@code null} for every line of the first controller bound
     */
    int[] offsetArray() {
        return offsets == null ? null : offsets.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The source a guest line is served from.
     *
     * @param line the guest line
     * @return an index below {@link #sourceCount()}
     */
    int source(int line) {
        return sources == null ? 0 : sources.get(line);
    }

    /**
     * The controller offset of a guest line.
     *
     * @param line the guest line
     * @return the offset
     */
    int offset(int line) {
        return offsets == null ? line : offsets.get(line);
    }

    /**
     * The safe state of a guest line.
     *
     * @param line the guest line
     * @return the state, {@link SafeState#RELEASE} unless configured
     */
    SafeState safeState(int line) {
        return safeStates.getOrDefault(line, SafeState.RELEASE);
    }

    /**
     * A guest line's controller line as the configuration spells it.
     *
     * @param line the guest line
     * @return {@code label:offset} for a composed map, the offset otherwise
     */
    String describe(int line) {
        return composed() ? labels.get(source(line)) + ":" + offset(line) : Integer.toString(offset(line));
    }

    /** Reads the properties one after the other; each step may use what the earlier ones gave. */
    private static final class Parser {
        private final List<String> labels = new ArrayList<>();
        private List<Integer> sources;
        private List<Integer> offsets;
        private final Map<Integer, String> names = new HashMap<>();
        private final Set<Integer> readOnly = new HashSet<>();
        private final Map<Integer, SafeState> safeStates = new HashMap<>();
        /** Guest lines {@code safe.state} gave a state, {@code release} included. */
        private final Set<Integer> stateGiven = new HashSet<>();
        /** Guest line of each controller line of a composed map, by {@link #key}. */
        private final Map<Long, Integer> guestLines = new HashMap<>();

        void lines(String text) {
            String trimmed = text.trim();
            if (trimmed.isEmpty()) {
                return;
            }
            String[] entries = trimmed.split(",", -1);
            boolean composed = trimmed.indexOf(':') >= 0;
            if (!composed) {
                TreeSet<Integer> sorted = new TreeSet<>();
                for (String entry : entries) {
                    for (int offset : range("lines", entry, text)) {
                        sorted.add(offset);
                    }
                    if (sorted.size() > MAX_LINES) {
                        throw new IllegalArgumentException("lines: more than " + MAX_LINES + " lines selected");
                    }
                }
                offsets = new ArrayList<>(sorted);
                return;
            }
            sources = new ArrayList<>();
            offsets = new ArrayList<>();
            for (String entry : entries) {
                int colon = entry.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("lines: \"" + entry.trim() + "\" names no controller: when"
                            + " one entry is label:offsets, every entry must be (for example sim0:0-3, board:5)");
                }
                String label = label("lines", entry.substring(0, colon), entry);
                int source = labels.indexOf(label);
                if (source < 0) {
                    source = labels.size();
                    labels.add(label);
                }
                for (int offset : range("lines", entry.substring(colon + 1), entry)) {
                    Integer earlier = guestLines.putIfAbsent(key(source, offset), offsets.size());
                    if (earlier != null) {
                        throw new IllegalArgumentException("lines: " + label + ":" + offset
                                + " is listed twice (guest line " + earlier + " already is that line)");
                    }
                    if (offsets.size() == MAX_LINES) {
                        throw new IllegalArgumentException("lines: more than " + MAX_LINES + " lines selected");
                    }
                    sources.add(source);
                    offsets.add(offset);
                }
            }
        }

        void names(String[] entries) {
            Set<String> given = new HashSet<>();
            for (String entry : entries) {
                if (entry.isBlank()) {
                    continue;
                }
                int equals = entry.indexOf('=');
                if (equals < 0) {
                    throw new IllegalArgumentException("line.names: \"" + entry + "\" is not of the form "
                            + (labels.isEmpty() ? "offset=name" : "label:offset=name"));
                }
                String key = entry.substring(0, equals).trim();
                String name = entry.substring(equals + 1).trim();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("line.names: \"" + entry + "\" gives no name");
                }
                String problem = LineNames.problem(name);
                if (problem != null) {
                    throw new IllegalArgumentException("line.names: name \"" + name + "\" is unusable: " + problem);
                }
                Integer line = namedLine(key, entry);
                if (!given.add(name)) {
                    throw new IllegalArgumentException("line.names: \"" + name + "\" is given to two lines; names"
                            + " must be unique");
                }
                if (line != null && names.put(line, name) != null) {
                    throw new IllegalArgumentException("line.names: line " + key + " is named twice");
                }
            }
        }

        /**
         * The guest line a {@code line.names} key is; {@code null} for an offset
         * of a plain map that the guest does not see (accepted and unused, as it
         * always was).
         */
        private Integer namedLine(String key, String entry) {
            if (labels.isEmpty()) {
                if (key.indexOf(':') >= 0) {
                    throw new IllegalArgumentException("line.names: \"" + entry + "\" names a controller, but lines"
                            + " does not: give the offset alone, or compose lines as label:offsets");
                }
                int offset = offset("line.names", key, entry);
                if (offsets == null) {
                    return offset;
                }
                int line = offsets.indexOf(offset);
                return line < 0 ? null : line;
            }
            int colon = key.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("line.names: \"" + entry + "\" names no controller: lines is"
                        + " composed, so give label:offset=name");
            }
            String label = label("line.names", key.substring(0, colon), entry);
            return composedLine("line.names", label, offset("line.names", key.substring(colon + 1), entry));
        }

        void readOnly(String text) {
            if (text.isBlank()) {
                return;
            }
            for (String entry : text.split(",", -1)) {
                readOnly.addAll(resolve("lines.readonly", entry, text));
            }
        }

        void safeStates(String[] entries) {
            for (String value : entries) {
                if (value.isBlank()) {
                    continue;
                }
                for (String entry : value.split(",", -1)) {
                    int equals = entry.lastIndexOf('=');
                    if (equals < 0) {
                        throw new IllegalArgumentException("safe.state: \"" + entry.trim() + "\" is not of the form"
                                + " line=state, for example relay=low or " + example() + "=high");
                    }
                    SafeState state = SafeState.parse(entry.substring(equals + 1));
                    if (state == null) {
                        throw new IllegalArgumentException("safe.state: \"" + entry.substring(equals + 1).trim()
                                + "\" in \"" + entry.trim() + "\" is not one of release, hold, low, high");
                    }
                    for (int line : resolve("safe.state", entry.substring(0, equals), entry)) {
                        safeState(line, state);
                    }
                }
            }
        }

        private void safeState(int line, SafeState state) {
            String which = describe(line);
            if (!stateGiven.add(line)) {
                throw new IllegalArgumentException("safe.state: line " + which + " is given a safe state twice");
            }
            if (state.drives() && readOnly.contains(line)) {
                throw new IllegalArgumentException("safe.state: line " + which + " is read-only (lines.readonly):"
                        + " the guest never drives it, so it cannot be left at " + state.configName());
            }
            if (state.drives()) {
                safeStates.put(line, state);
            }
        }

        /** The guest lines an entry of a policy property names: a configured name, an offset or a range. */
        private List<Integer> resolve(String property, String reference, String whole) {
            String ref = reference.trim();
            for (Map.Entry<Integer, String> named : names.entrySet()) {
                if (named.getValue().equals(ref)) {
                    return List.of(named.getKey());
                }
            }
            List<Integer> lines = new ArrayList<>();
            int colon = ref.indexOf(':');
            if (colon >= 0) {
                if (labels.isEmpty()) {
                    throw new IllegalArgumentException(property + ": \"" + ref + "\" names a controller, but lines"
                            + " does not: give offsets alone, or compose lines as label:offsets");
                }
                String label = label(property, ref.substring(0, colon), whole);
                for (int offset : range(property, ref.substring(colon + 1), whole)) {
                    lines.add(composedLine(property, label, offset));
                }
                return lines;
            }
            if (ref.isEmpty() || !Character.isDigit(ref.charAt(0))) {
                throw new IllegalArgumentException(property + ": no line is named \"" + ref + "\" in line.names;"
                        + " give the line as " + example() + " or name it there");
            }
            if (!labels.isEmpty()) {
                throw new IllegalArgumentException(property + ": \"" + ref + "\" names no controller: lines is"
                        + " composed, so give label:offset (for example " + example() + ")");
            }
            for (int offset : range(property, ref, whole)) {
                int line = offsets == null ? offset : offsets.indexOf(offset);
                if (line < 0) {
                    throw new IllegalArgumentException(property + ": line " + offset + " is not one of the lines"
                            + " the guest sees (lines " + offsets + ")");
                }
                lines.add(line);
            }
            return lines;
        }

        private int composedLine(String property, String label, int offset) {
            int source = labels.indexOf(label);
            if (source < 0) {
                throw new IllegalArgumentException(property + ": controller \"" + label + "\" is not one of those in"
                        + " lines (" + String.join(", ", labels) + ")");
            }
            Integer line = guestLines.get(key(source, offset));
            if (line == null) {
                throw new IllegalArgumentException(property + ": " + label + ":" + offset + " is not one of the"
                        + " lines the guest sees (see lines)");
            }
            return line;
        }

        private String describe(int line) {
            return labels.isEmpty() ? Integer.toString(offsets == null ? line : offsets.get(line))
                    : labels.get(sources.get(line)) + ":" + offsets.get(line);
        }

        private String example() {
            return labels.isEmpty() ? "3" : labels.get(0) + ":3";
        }

        private static long key(int source, int offset) {
            return ((long) source << 32) | offset;
        }

        private static String label(String property, String text, String whole) {
            String label = text.trim();
            if (label.isEmpty()) {
                throw new IllegalArgumentException(property + ": \"" + whole.trim() + "\" gives no controller label"
                        + " before the colon");
            }
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(property + ": \"" + label + "\" in \"" + whole.trim()
                        + "\" is not a controller label (1 to 64 letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit)");
            }
            return label;
        }

        /** An offset or a range {@code first-last}, in ascending order. */
        private static int[] range(String property, String text, String whole) {
            String item = text.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException(property + ": \"" + whole.trim() + "\" gives no line offset"
                        + " (an offset such as 5 or a range such as 0-3)");
            }
            int dash = item.indexOf('-');
            int first = offset(property, dash < 0 ? item : item.substring(0, dash), whole);
            int last = dash < 0 ? first : offset(property, item.substring(dash + 1), whole);
            if (last < first) {
                throw new IllegalArgumentException(property + ": range \"" + item + "\" runs backwards");
            }
            if ((long) last - first >= MAX_LINES) {
                throw new IllegalArgumentException(property + ": more than " + MAX_LINES + " lines selected");
            }
            int[] range = new int[last - first + 1];
            for (int i = 0; i < range.length; i++) {
                range[i] = first + i;
            }
            return range;
        }

        private static int offset(String property, String text, String whole) {
            try {
                int offset = Integer.parseInt(text.trim());
                if (offset < 0) {
                    throw new NumberFormatException();
                }
                return offset;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(property + ": \"" + text.trim() + "\" in \"" + whole.trim()
                        + "\" is not a line offset (a number from 0)", e);
            }
        }
    }

    private static List<Integer> boxed(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int value : values) {
            list.add(value);
        }
        return List.copyOf(list);
    }
}
