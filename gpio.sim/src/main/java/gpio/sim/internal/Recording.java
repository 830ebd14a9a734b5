// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.util.ArrayDeque;
import java.util.List;

import gpio.sim.LevelChange;

/**
 * The recorded level changes of a chip, bounded: past the limit the oldest change
 * is folded into the starting levels, so the recording always replays to the
 * current levels. Not thread-safe: the chip guards it with its lock.
 */
final class Recording {

    private final ArrayDeque<LevelChange> changes = new ArrayDeque<>();
    private final boolean[] startLevels;
    private long startNanos;
    private int limit;

    Recording(boolean[] levels, long nowNanos, int limit) {
        this.startLevels = levels.clone();
        this.startNanos = nowNanos;
        this.limit = limit;
    }

    void add(LevelChange change) {
        if (changes.size() >= limit) {
            dropOldest();
        }
        changes.addLast(change);
    }

    void setLimit(int newLimit) {
        limit = newLimit;
        while (changes.size() > limit) {
            dropOldest();
        }
    }

    private void dropOldest() {
        LevelChange oldest = changes.removeFirst();
        startLevels[oldest.offset()] = oldest.level();
        startNanos = oldest.timestampNanos();
    }

    void restart(boolean[] levels, long nowNanos) {
        changes.clear();
        System.arraycopy(levels, 0, startLevels, 0, startLevels.length);
        startNanos = nowNanos;
    }

    /** An immutable copy, to be written out without holding the chip's lock. */
    Snapshot snapshot(List<String> names) {
        return new Snapshot(names, startLevels.clone(), startNanos, List.copyOf(changes));
    }

    long startNanos() {
        return startNanos;
    }

    List<LevelChange> changes() {
        return List.copyOf(changes);
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
