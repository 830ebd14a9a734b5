// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import static gpio.virtio.internal.console.Trace.HIGH;
import static gpio.virtio.internal.console.Trace.LOW;
import static gpio.virtio.internal.console.Trace.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The trace data of the waveform: what a window keeps of a line's changes, the
 * bound on the JSON of a line whatever the window, and the interrupt markers.
 * Times here are plain numbers of nanoseconds.
 */
class TraceTest {

    private static final long MS = 1_000_000;

    private static String json(Trace.Window window, int maxChanges) {
        Json json = new Json().beginObject();
        window.json(json, maxChanges);
        return json.endObject().toString();
    }

    @Test
    void aWindowStartsAtTheLevelOfTheLastChangeBeforeItAndKeepsOnlyTheChangesInIt() {
        Trace trace = new Trace(0, LOW);
        trace.change(10 * MS, HIGH);
        trace.change(20 * MS, LOW);
        trace.change(30 * MS, HIGH);
        trace.change(40 * MS, LOW);
        trace.change(50 * MS, HIGH);
        Trace.Window window = trace.cut(25 * MS, 45 * MS);
        assertEquals(LOW, window.start(), "the change at 20 ms set it");
        assertEquals(2, window.changes());
        assertEquals(2, window.transitions());
        assertEquals("{\"start\":0,\"transitions\":2,\"decimated\":false,\"changes\":[[5000,1],[15000,0]],"
                + "\"interruptCount\":0,\"interrupts\":[]}", json(window, 400));
        assertEquals(HIGH, trace.cut(55 * MS, 60 * MS).start(), "after the last change: its level");
        assertEquals(0, trace.cut(55 * MS, 60 * MS).changes());
    }

    @Test
    void beforeTheRecordingStartsTheLevelIsUnknownAndTheStartIsNoTransition() {
        Trace trace = new Trace(30 * MS, HIGH);
        trace.change(40 * MS, LOW);
        Trace.Window window = trace.cut(0, 50 * MS);
        assertEquals(UNKNOWN, window.start());
        assertEquals(2, window.changes(), "unknown to high at 30 ms, high to low at 40 ms");
        assertEquals(1, window.transitions());
        assertEquals("{\"start\":null,\"transitions\":1,\"decimated\":false,\"changes\":[[30000,1],[40000,0]],"
                + "\"interruptCount\":0,\"interrupts\":[]}", json(window, 400));
    }

    @Test
    void levelsSeenTwiceOrOutOfOrderBecomeOneChangeEach() {
        Trace trace = new Trace(Long.MIN_VALUE, UNKNOWN);
        trace.change(30 * MS, LOW); // from a second device, reported later
        trace.change(10 * MS, HIGH);
        trace.change(20 * MS, HIGH);
        trace.change(40 * MS, UNKNOWN);
        Trace.Window window = trace.cut(0, 50 * MS);
        assertEquals(UNKNOWN, window.start());
        assertEquals(3, window.changes());
        assertEquals(1, window.transitions(), "only high to low is a transition");
        assertEquals(10 * MS, window.time(0));
        assertEquals(UNKNOWN, window.level(2));
    }

    @Test
    void aBusyLineStaysWithinTheBoundAndStillCountsEveryTransition() {
        Trace trace = new Trace(0, LOW);
        int changes = 100_000; // 10 s toggling at 10 kHz
        for (int i = 1; i <= changes; i++) {
            trace.change(i * 100_000L, i % 2 == 1 ? HIGH : LOW);
        }
        Trace.Window window = trace.cut(0, 10_001 * MS);
        assertEquals(changes, window.transitions());
        String json = json(window, 400);
        Matcher elements = Pattern.compile("\\[(\\d+),(\\d),?(\\d+)?,?(\\d+)?\\]").matcher(
                json.substring(json.indexOf("\"changes\":"), json.indexOf("\"interruptCount\"")));
        int count = 0;
        int transitions = 0;
        String lastLevel = null;
        while (elements.find()) {
            count++;
            transitions += elements.group(3) == null ? 1 : Integer.parseInt(elements.group(3));
            lastLevel = elements.group(2);
        }
        assertTrue(count <= 400 && count >= 190, count + " elements");
        assertTrue(json.contains("\"decimated\":true"), json);
        assertEquals(changes, transitions, "the slots add up to every transition");
        assertEquals("0", lastLevel, "the last slot ends at the level the line is at");
        assertTrue(json.length() < 400 * 32, json.length() + " characters");
    }

    @Test
    void interruptsAreMarkedWhereTheyHappenedAndBoundedLikeChanges() {
        Trace trace = new Trace(0, LOW);
        trace.interrupt(5 * MS);
        trace.interrupt(15 * MS);
        trace.interrupt(25 * MS);
        Trace.Window window = trace.cut(10 * MS, 30 * MS);
        assertEquals(2, window.interrupts(), "the one before the window is cut away");
        assertTrue(json(window, 400).endsWith("\"interruptCount\":2,\"interrupts\":[[5000,1],[15000,1]]}"),
                json(window, 400));

        Trace busy = new Trace(0, LOW);
        for (int i = 0; i < 1_000; i++) {
            busy.interrupt(i * MS);
        }
        String json = json(busy.cut(0, 1_000 * MS), 100);
        String interrupts = json.substring(json.indexOf("\"interrupts\":"));
        Matcher slots = Pattern.compile("\\[(\\d+),(\\d+)\\]").matcher(interrupts);
        int count = 0;
        int total = 0;
        while (slots.find()) {
            count++;
            total += Integer.parseInt(slots.group(2));
        }
        assertEquals(50, count, "one element per slot: 100 / 2 slots");
        assertEquals(1_000, total);
        assertTrue(json.contains("\"interruptCount\":1000"), json);
    }
}
