// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The line properties of a device: composition by label, names, read-only lines, safe states, and refusals. */
class LineMapTest {

    private static final String[] NONE = {};

    private static String refusal(String lines, String[] names, String readOnly, String... safeStates) {
        return assertThrows(IllegalArgumentException.class, () -> LineMap.parse(lines, names, readOnly, safeStates))
                .getMessage();
    }

    @Test
    void aComposedChipNumbersItsLinesInTheOrderGivenAndBindsEachLabel() {
        LineMap map = LineMap.parse("sim0:0-3, board:5, board:7-8", NONE, "", NONE);
        assertTrue(map.composed());
        assertEquals(List.of("sim0", "board"), map.labels());
        assertEquals(2, map.sourceCount());
        assertEquals(List.of(0, 0, 0, 0, 1, 1, 1), map.sources());
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 8), map.offsets());
        assertEquals("board:7", map.describe(5));
        LineMap reordered = LineMap.parse("board:8, sim0:1, board:2", NONE, "", NONE);
        assertEquals(List.of("board", "sim0"), reordered.labels());
        assertEquals(List.of(8, 1, 2), reordered.offsets(), "not sorted: the operator's order");
        assertEquals(List.of(0, 1, 0), reordered.sources());
    }

    @Test
    void plainLinesWorkAsTheyAlwaysDid() {
        LineMap map = LineMap.parse("7, 0-2, 2", new String[] {"7=LED", "9=unused", " "}, "", NONE);
        assertFalse(map.composed());
        assertEquals(1, map.sourceCount());
        assertEquals(List.of(0, 1, 2, 7), map.offsets(), "ascending, duplicates merged");
        assertEquals(Map.of(3, "LED"), map.names(), "by guest line; a name for an offset not served is unused");
        LineMap all = LineMap.parse("", new String[] {"3=LED"}, "", NONE);
        assertNull(all.offsets(), "every line of the first controller");
        assertEquals(Map.of(3, "LED"), all.names());
        assertEquals(5, all.offset(5));
    }

    @Test
    void namesReadOnlyLinesAndSafeStatesNameLinesByControllerLineOrByName() {
        LineMap map = LineMap.parse("leds:0-3, buttons:0-3, relays:2",
                new String[] {"relays:2=RELAY", "buttons:0=START"}, "buttons:1-3, START",
                new String[] {"RELAY=low, leds:0=high", "leds:1=hold", "leds:2=release"});
        assertEquals(Map.of(8, "RELAY", 4, "START"), map.names());
        assertEquals(Set.of(4, 5, 6, 7), map.readOnly());
        assertEquals(SafeState.LOW, map.safeState(8));
        assertEquals(SafeState.HIGH, map.safeState(0));
        assertEquals(SafeState.HOLD, map.safeState(1));
        assertEquals(SafeState.RELEASE, map.safeState(2));
        assertEquals(SafeState.RELEASE, map.safeState(3), "the default");
        LineMap plain = LineMap.parse("4-7", new String[] {"5=RELAY"}, "6-7", new String[] {"RELAY=high", "4=HOLD"});
        assertEquals(Set.of(2, 3), plain.readOnly(), "guest lines of offsets 6 and 7");
        assertEquals(Map.of(1, SafeState.HIGH, 0, SafeState.HOLD), plain.safeStates());
    }

    @Test
    void theSameConfigurationGivesAnEqualMap() {
        assertEquals(LineMap.parse("a:1, b:2", NONE, "a:1", new String[] {"b:2=low"}),
                LineMap.parse("a:1,b:2", NONE, " a:1 ", new String[] {" b:2 = low"}));
        assertFalse(LineMap.parse("a:1, b:2", NONE, "", NONE).equals(LineMap.parse("b:2, a:1", NONE, "", NONE)));
    }

    @Test
    void aMissingOffsetIsRefused() {
        assertEquals("lines: \"board:\" gives no line offset (an offset such as 5 or a range such as 0-3)",
                refusal("sim0:0-3, board:", NONE, ""));
        assertEquals("lines: \"x\" in \"board:x\" is not a line offset (a number from 0)",
                refusal("board:x", NONE, ""));
        assertEquals("lines.readonly: board:9 is not one of the lines the guest sees (see lines)",
                refusal("board:0-3", NONE, "board:9"));
        assertEquals("safe.state: line 9 is not one of the lines the guest sees (lines [0, 1])",
                refusal("0-1", NONE, "", "9=low"));
        assertEquals("line.names: sim0:4 is not one of the lines the guest sees (see lines)",
                refusal("sim0:0-3", new String[] {"sim0:4=X"}, ""));
    }

    @Test
    void aDuplicateLineIsRefused() {
        assertEquals("lines: board:5 is listed twice (guest line 1 already is that line)",
                refusal("board:4-6, sim0:0, board:5", NONE, ""));
        assertEquals("safe.state: line board:5 is given a safe state twice",
                refusal("board:4-6", NONE, "", "board:5=low", "board:4-5=high"));
        assertEquals("line.names: line board:5 is named twice",
                refusal("board:4-6", new String[] {"board:5=A", "board:5=B"}, ""));
        assertEquals("line.names: \"A\" is given to two lines; names must be unique",
                refusal("board:4-6", new String[] {"board:5=A", "board:6=A"}, ""));
    }

    @Test
    void aReadOnlyLineCannotHaveASafeOutputState() {
        assertEquals("safe.state: line board:5 is read-only (lines.readonly): the guest never drives it, so it"
                + " cannot be left at high", refusal("board:4-6", NONE, "board:5", "board:5=high"));
        assertEquals("safe.state: line 1 is read-only (lines.readonly): the guest never drives it, so it cannot be"
                + " left at hold", refusal("", NONE, "0-3", "1=hold"));
        LineMap release = LineMap.parse("board:4-6", NONE, "board:5", new String[] {"board:5=release"});
        assertEquals(SafeState.RELEASE, release.safeState(1), "release is no output state: accepted");
    }

    @Test
    void anUnknownLabelSyntaxOrMixedFormIsRefused() {
        assertEquals("lines: \"bo ard\" in \"bo ard:5\" is not a controller label (1 to 64 letters, digits, '.', '_'"
                + " or '-', starting with a letter or digit)", refusal("bo ard:5", NONE, ""));
        assertEquals("lines: \":5\" gives no controller label before the colon", refusal("sim0:1, :5", NONE, ""));
        assertTrue(refusal("-x:5", NONE, "").contains("is not a controller label"));
        assertEquals("lines: \"5\" names no controller: when one entry is label:offsets, every entry must be (for"
                + " example sim0:0-3, board:5)", refusal("sim0:1, 5", NONE, ""));
        assertEquals("lines.readonly: \"5\" names no controller: lines is composed, so give label:offset (for"
                + " example sim0:3)", refusal("sim0:1-5", NONE, "5"));
        assertEquals("lines.readonly: \"sim0:5\" names a controller, but lines does not: give offsets alone, or"
                + " compose lines as label:offsets", refusal("1-5", NONE, "sim0:5"));
        assertEquals("lines.readonly: controller \"other\" is not one of those in lines (sim0)",
                refusal("sim0:1-5", NONE, "other:1"));
        assertEquals("line.names: \"5=A\" names no controller: lines is composed, so give label:offset=name",
                refusal("sim0:1-5", new String[] {"5=A"}, ""));
    }

    @Test
    void aPolicyEntryThatIsNotUnderstoodIsRefused() {
        assertEquals("safe.state: \"sim0:1\" is not of the form line=state, for example relay=low or sim0:3=high",
                refusal("sim0:1-5", NONE, "", "sim0:1"));
        assertEquals("safe.state: \"off\" in \"sim0:1=off\" is not one of release, hold, low, high",
                refusal("sim0:1-5", NONE, "", "sim0:1=off"));
        assertEquals("safe.state: no line is named \"RELAY\" in line.names; give the line as sim0:3 or name it"
                + " there", refusal("sim0:1-5", NONE, "", "RELAY=low"));
        assertEquals("lines: more than 65535 lines selected", refusal("a:0-70000", NONE, ""));
    }
}
