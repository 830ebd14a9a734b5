// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class SimConfigTest {

    private static SimConfig config(String label, int lineCount, String[] names, String[] pulls) {
        return SimConfig.of(label, lineCount, names, pulls, Duration.ZERO, 100);
    }

    private static String refused(String label, int lineCount, String[] names, String[] pulls) {
        return assertThrows(IllegalArgumentException.class, () -> config(label, lineCount, names, pulls))
                .getMessage();
    }

    @Test
    void fillsMissingNamesAndPulls() {
        SimConfig config = config("sim0", 4, new String[] {"A", "", "C"}, new String[] {"up", "DOWN ", ""});
        assertEquals(List.of("A", "", "C", ""), config.names);
        assertTrue(config.pullUp(0));
        assertFalse(config.pullUp(1));
        assertFalse(config.pullUp(3));
    }

    @Test
    void acceptsNoNamesAndNoPulls() {
        SimConfig config = config("board-1.sim_a", 1024, null, null);
        assertEquals(1024, config.names.size());
    }

    @Test
    void refusesBadLabels() {
        assertEquals("label (missing) is not 1 to 64 characters among letters, digits, '.', '_' and '-'"
                + " starting with a letter or digit", refused(null, 8, null, null));
        assertTrue(refused("", 8, null, null).startsWith("label '' is not"));
        assertTrue(refused("sim 0", 8, null, null).startsWith("label 'sim 0' is not"));
        assertTrue(refused("-sim", 8, null, null).startsWith("label '-sim' is not"));
        assertTrue(refused("a".repeat(65), 8, null, null).startsWith("label 'aaaa"));
        assertTrue(refused("sim)(x=1", 8, null, null).startsWith("label 'sim)(x=1' is not"));
    }

    @Test
    void refusesLineCountsOutOfRange() {
        assertEquals("line.count 0 is not between 1 and 1024", refused("sim0", 0, null, null));
        assertEquals("line.count 1025 is not between 1 and 1024", refused("sim0", 1025, null, null));
    }

    @Test
    void refusesMoreNamesThanLines() {
        assertEquals("line.names has 3 entries but line.count is 2",
                refused("sim0", 2, new String[] {"a", "b", "c"}, null));
    }

    @Test
    void refusesDuplicateNames() {
        assertEquals("line.names[2] 'LED' is already the name of line 0",
                refused("sim0", 4, new String[] {"LED", "", "LED"}, null));
    }

    @Test
    void refusesNonAsciiAndControlCharacters() {
        assertEquals("line.names[1] 'b\\u00e9' has a character that is not printable 7-bit ASCII at index 1"
                + " (U+00E9)", refused("sim0", 4, new String[] {"a", "b\u00e9"}, null));
        assertEquals("line.names[0] 'x\\u000ay' has a character that is not printable 7-bit ASCII at index 1"
                + " (U+000A)", refused("sim0", 4, new String[] {"x\ny"}, null));
    }

    @Test
    void refusesTooLongNames() {
        assertTrue(refused("sim0", 1, new String[] {"n".repeat(32)}, null).endsWith("is longer than 31 characters"));
    }

    @Test
    void refusesBadPulls() {
        assertEquals("line.pulls[1] 'sideways' is neither 'up' nor 'down'",
                refused("sim0", 4, null, new String[] {"up", "sideways"}));
        assertEquals("line.pulls has 2 entries but line.count is 1",
                refused("sim0", 1, null, new String[] {"up", "up"}));
    }

    @Test
    void refusesBadLatencyAndRecordingLimit() {
        assertThrows(IllegalArgumentException.class,
                () -> SimConfig.of("sim0", 1, null, null, Duration.ofMinutes(1), 100));
        assertEquals("recording.limit 0 is not between 1 and 10000000",
                assertThrows(IllegalArgumentException.class,
                        () -> SimConfig.of("sim0", 1, null, null, Duration.ZERO, 0)).getMessage());
    }
}
