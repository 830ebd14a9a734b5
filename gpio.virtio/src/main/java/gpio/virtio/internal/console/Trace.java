// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.util.Arrays;
import java.util.Comparator;

import gpio.virtio.internal.LineHistory;

/**
 * The trace of one line as the waveform shows it: its level over time (low,
 * high or unknown) and the interrupts delivered to a guest, collected from
 * the simulator's recording or the devices' line histories, then
 * {@linkplain #cut cut} to a window. Times are {@link System#nanoTime()}
 * nanoseconds. Not thread-safe: built and read by one request.
 */
final class Trace {

    static final byte LOW = LineHistory.LOW;
    static final byte HIGH = LineHistory.HIGH;
    static final byte UNKNOWN = LineHistory.UNKNOWN;

    private final long knownFrom;
    private final byte initial;
    private long[] times = new long[8];
    private byte[] levels = new byte[8];
    private int changes;
    private boolean inOrder = true;
    private long[] interrupts = new long[8];
    private int interruptCount;

    /**
     * A trace with no change yet.
     *
     * @param knownFromNanos from when the level is known: before it, it is unknown
     * @param initial the level from then on until the first change, {@link #UNKNOWN} if not known
     */
    Trace(long knownFromNanos, byte initial) {
        this.knownFrom = knownFromNanos;
        this.initial = initial;
    }

    /** The level was {@code level} at {@code nanos}; changes may come out of time order. */
    void change(long nanos, byte level) {
        if (changes == times.length) {
            times = Arrays.copyOf(times, changes * 2);
            levels = Arrays.copyOf(levels, changes * 2);
        }
        inOrder &= changes == 0 || times[changes - 1] <= nanos;
        times[changes] = nanos;
        levels[changes++] = level;
    }

    /** An interrupt was delivered to a guest at {@code nanos}. */
    void interrupt(long nanos) {
        if (interruptCount == interrupts.length) {
            interrupts = Arrays.copyOf(interrupts, interruptCount * 2);
        }
        interrupts[interruptCount++] = nanos;
    }

    /**
     * The trace between two times: the level at {@code from} and every change of
     * level after it up to {@code to}, with the interrupts in between.
     *
     * @param from the window's start
     * @param to the window's end
     * @return the cut
     */
    Window cut(long from, long to) {
        if (!inOrder) {
            sortChanges();
        }
        Window window = new Window(from, to);
        byte level = UNKNOWN;
        boolean knownApplied = false;
        int i = 0;
        // Level changes in time order, the start of knowledge (the initial level) among them.
        while (i < changes || !knownApplied) {
            boolean known = !knownApplied && (i == changes || knownFrom <= times[i]);
            long time = known ? knownFrom : times[i];
            byte next = known ? initial : levels[i];
            if (known) {
                knownApplied = true;
            } else {
                i++;
            }
            if (time > to) {
                break;
            }
            if (time <= from) {
                level = next;
                window.start = next;
            } else if (next != level) {
                window.add(time, next, level);
                level = next;
            }
        }
        Arrays.sort(interrupts, 0, interruptCount);
        for (int k = 0; k < interruptCount; k++) {
            if (interrupts[k] >= from && interrupts[k] <= to) {
                window.interrupt(interrupts[k]);
            }
        }
        return window;
    }

    private void sortChanges() {
        Integer[] order = new Integer[changes];
        for (int k = 0; k < changes; k++) {
            order[k] = k;
        }
        Arrays.sort(order, Comparator.comparingLong(k -> times[k]));
        long[] sortedTimes = new long[times.length];
        byte[] sortedLevels = new byte[levels.length];
        for (int k = 0; k < changes; k++) {
            sortedTimes[k] = times[order[k]];
            sortedLevels[k] = levels[order[k]];
        }
        times = sortedTimes;
        levels = sortedLevels;
        inOrder = true;
    }

    /**
     * A trace cut to a window: the level at its start, then the changes of level
     * within it (each to another level than the one before), and the interrupts.
     */
    static final class Window {

        private final long from;
        private final long to;
        private byte start = UNKNOWN;
        private long[] times = new long[8];
        private byte[] levels = new byte[8];
        private int changes;
        private int transitions;
        private long[] interrupts = new long[8];
        private int interruptCount;

        private Window(long from, long to) {
            this.from = from;
            this.to = to;
        }

        private void add(long time, byte level, byte before) {
            if (changes == times.length) {
                times = Arrays.copyOf(times, changes * 2);
                levels = Arrays.copyOf(levels, changes * 2);
            }
            times[changes] = time;
            levels[changes++] = level;
            if (isTransition(before, level)) {
                transitions++;
            }
        }

        private void interrupt(long time) {
            if (interruptCount == interrupts.length) {
                interrupts = Arrays.copyOf(interrupts, interruptCount * 2);
            }
            interrupts[interruptCount++] = time;
        }

        /** @return the level at the window's start */
        byte start() {
            return start;
        }

        /** @return the number of changes of level, to and from unknown included */
        int changes() {
            return changes;
        }

        /** @return when change {@code i} happened */
        long time(int i) {
            return times[i];
        }

        /** @return the level after change {@code i} */
        byte level(int i) {
            return levels[i];
        }

        /** @return the number of changes between low and high (to and from unknown are no transition) */
        int transitions() {
            return transitions;
        }

        /** @return the number of interrupts in the window */
        int interrupts() {
            return interruptCount;
        }

        /** @return when interrupt {@code i} was delivered */
        long interruptTime(int i) {
            return interrupts[i];
        }

        /**
         * Writes the members {@code start}, {@code transitions}, {@code decimated},
         * {@code changes}, {@code interruptCount} and {@code interrupts} of a line
         * of the waveform JSON: times in microseconds from the window's start,
         * levels 0, 1 or null. With at most {@code maxChanges} changes, each is an
         * element {@code [time, level]}; with more, the window is cut into
         * {@code maxChanges / 2} equal slots, and a slot with more than one change
         * becomes one element {@code [time of the first, level after the last,
         * transitions, time of the last]}. Interrupts likewise: {@code [time, 1]}
         * each, or per slot {@code [time of the first, count]}. So a line never
         * takes more than {@code maxChanges} elements of each, whatever the window.
         *
         * @param json where to write, inside the line's object
         * @param maxChanges the most elements per line, at least 2
         */
        void json(Json json, int maxChanges) {
            boolean decimated = changes > maxChanges;
            json.level("start", jsonLevel(start)).field("transitions", transitions).field("decimated", decimated)
                    .beginArray("changes");
            int slots = maxChanges / 2;
            int i = 0;
            while (i < changes) {
                int last = decimated ? lastInSlot(times, changes, i, slots) : i;
                json.beginArray().element(micros(times[i])).level(jsonLevel(levels[last]));
                if (last > i) {
                    int inSlot = 0;
                    for (int k = i; k <= last; k++) {
                        inSlot += isTransition(k == 0 ? start : levels[k - 1], levels[k]) ? 1 : 0;
                    }
                    json.element(inSlot).element(micros(times[last]));
                }
                json.endArray();
                i = last + 1;
            }
            json.endArray().field("interruptCount", interruptCount).beginArray("interrupts");
            boolean slotted = interruptCount > maxChanges;
            int k = 0;
            while (k < interruptCount) {
                int last = slotted ? lastInSlot(interrupts, interruptCount, k, slots) : k;
                json.beginArray().element(micros(interrupts[k])).element(last - k + 1).endArray();
                k = last + 1;
            }
            json.endArray();
        }

        /** The index of the last time in the slot of {@code times[first]}. */
        private int lastInSlot(long[] sorted, int count, int first, int slots) {
            long slot = slot(sorted[first], slots);
            int last = first;
            while (last + 1 < count && slot(sorted[last + 1], slots) == slot) {
                last++;
            }
            return last;
        }

        private long slot(long time, int slots) {
            return Math.min(slots - 1, (time - from) * slots / Math.max(1, to - from));
        }

        private long micros(long time) {
            return (time - from) / 1000;
        }

        private static Boolean jsonLevel(byte level) {
            return level == UNKNOWN ? null : level == HIGH;
        }
    }

    private static boolean isTransition(byte before, byte after) {
        return before != UNKNOWN && after != UNKNOWN && before != after;
    }
}
