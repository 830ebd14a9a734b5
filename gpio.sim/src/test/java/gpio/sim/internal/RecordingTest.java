// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import gpio.sim.LevelChange;

class RecordingTest {

    private static final int LINES = 3;

    private final boolean[] current = new boolean[LINES];
    private long clock;

    /** Change number n toggles line n % 3 at time n. */
    private void change(Recording recording) {
        clock++;
        int offset = (int) (clock % LINES);
        current[offset] = !current[offset];
        recording.add(clock, offset, current[offset]);
    }

    /** The levels the recording replays to: its starting levels, then every change kept. */
    private static boolean[] replay(Recording recording) {
        Recording.Snapshot snapshot = recording.snapshot(List.of());
        boolean[] levels = snapshot.startLevels().clone();
        for (LevelChange c : snapshot.changes()) {
            levels[c.offset()] = c.level();
        }
        return levels;
    }

    @Test
    void pastTheLimitTheOldestChangesAreFoldedIntoTheStartingLevels() {
        Recording recording = new Recording(new boolean[LINES], 0, 2500);
        for (int i = 0; i < 3000; i++) {
            change(recording);
        }
        List<LevelChange> kept = recording.changes();
        assertEquals(2500, kept.size());
        assertEquals(501, kept.get(0).timestampNanos(), "the latest 2500 of 3000 are kept, oldest first");
        assertEquals(3000, kept.get(2499).timestampNanos());
        assertEquals(500, recording.startNanos(), "the recording starts at the last change folded out");
        assertArrayEquals(current, replay(recording));
    }

    @Test
    void aLowerLimitKeepsTheLatestAndAHigherOneLetsTheRecordingGrowAgain() {
        Recording recording = new Recording(new boolean[LINES], 0, 1500);
        for (int i = 0; i < 2000; i++) {
            change(recording); // past the limit: the oldest changes sit in the middle of the arrays
        }
        recording.setLimit(1000);
        assertEquals(1000, recording.changes().size());
        assertEquals(1001, recording.changes().get(0).timestampNanos());
        assertArrayEquals(current, replay(recording));

        change(recording);
        recording.setLimit(4000);
        for (int i = 0; i < 2500; i++) {
            change(recording);
        }
        List<LevelChange> kept = recording.changes();
        assertEquals(3500, kept.size(), "nothing folded out below the new limit");
        assertEquals(1002, kept.get(0).timestampNanos());
        for (int i = 1; i < kept.size(); i++) {
            assertEquals(kept.get(i - 1).timestampNanos() + 1, kept.get(i).timestampNanos(), "in order, none lost");
        }
        assertArrayEquals(current, replay(recording));
    }

    @Test
    void aRestartForgetsTheChangesAndStartsFromTheLevelsGiven() {
        Recording recording = new Recording(new boolean[LINES], 0, 10);
        for (int i = 0; i < 25; i++) {
            change(recording);
        }
        recording.restart(new boolean[] {true, false, true}, 99);
        assertEquals(List.of(), recording.changes());
        assertEquals(99, recording.startNanos());
        assertArrayEquals(new boolean[] {true, false, true}, replay(recording));
    }
}
