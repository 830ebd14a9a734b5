// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.util.List;

import gpio.sim.LevelChange;

/**
 * The recorded level changes of a chip, bounded: past the limit the oldest change
 * is folded into the starting levels, so the recording always replays to the
 * current levels. Not thread-safe: the chip guards it with its lock.
 */
final class Recording {

    /** Changes the arrays first hold; they grow by doubling up to the limit. */
    private static final int INITIAL_CAPACITY = 1024;

    // A ring of changes, oldest at `head`, in two parallel arrays so that a change
    // costs no object: every SET_VALUE that toggles an output adds one.
    private long[] times = new long[0];
    /** The line offset shifted left by one, the level in the low bit. */
    private int[] linesAndLevels = new int[0];
    private int head;
    private int count;
    private final boolean[] startLevels;
    private long startNanos;
    private int limit;

    Recording(boolean[] levels, long nowNanos, int limit) {
        this.startLevels = levels.clone();
        this.startNanos = nowNanos;
        this.limit = limit;
    }

    void add(long nanos, int offset, boolean level) {
        if (count >= limit) {
            dropOldest();
        }
        if (count == times.length) {
            resize(Math.min(limit, Math.max(INITIAL_CAPACITY, times.length * 2)));
        }
        int at = slot(count);
        times[at] = nanos;
        linesAndLevels[at] = offset << 1 | (level ? 1 : 0);
        count++;
    }

    void setLimit(int newLimit) {
        limit = newLimit;
        while (count > limit) {
            dropOldest();
        }
        if (times.length > limit) {
            resize(limit);
        }
    }

    private void dropOldest() {
        startLevels[linesAndLevels[head] >>> 1] = (linesAndLevels[head] & 1) != 0;
        startNanos = times[head];
        head = slot(1);
        count--;
    }

    /** The array index of the {@code n}th change from the oldest. */
    private int slot(int n) {
        int at = head + n;
        return at < times.length ? at : at - times.length;
    }

    /** Moves the changes, oldest first, into arrays of {@code capacity} (at least {@link #count}). */
    private void resize(int capacity) {
        long[] newTimes = new long[capacity];
        int[] newLines = new int[capacity];
        for (int i = 0; i < count; i++) {
            newTimes[i] = times[slot(i)];
            newLines[i] = linesAndLevels[slot(i)];
        }
        times = newTimes;
        linesAndLevels = newLines;
        head = 0;
    }

    void restart(boolean[] levels, long nowNanos) {
        head = 0;
        count = 0;
        System.arraycopy(levels, 0, startLevels, 0, startLevels.length);
        startNanos = nowNanos;
    }

    /** An immutable copy, to be written out without holding the chip's lock. */
    Snapshot snapshot(List<String> names) {
        return new Snapshot(names, startLevels.clone(), startNanos, changes());
    }

    long startNanos() {
        return startNanos;
    }

    /** The changes, oldest first, as new objects. */
    List<LevelChange> changes() {
        LevelChange[] changes = new LevelChange[count];
        for (int i = 0; i < count; i++) {
            int at = slot(i);
            changes[i] = new LevelChange(times[at], linesAndLevels[at] >>> 1, (linesAndLevels[at] & 1) != 0);
        }
        return List.of(changes);
    }

    /**
     * A copy of the recording with the line names at the time it was taken.
     *
     * @param names the line names, empty for none
     * @param startLevels the levels at {@code startNanos}
     * @param startNanos the start of the recording
     * @param changes the changes after the start, oldest first
     */
    record Snapshot(List<String> names, boolean[] startLevels, long startNanos, List<LevelChange> changes) {
    }
}
