// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import gpio.api.Bias;
import gpio.api.Direction;
import gpio.api.Drive;
import gpio.api.EdgeDetection;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.sim.LevelChange;
import gpio.sim.Step;

/** The chip as controller and simulator: levels, requests, faults, latency and the recording. */
class SimChipTest extends ChipFixture {

    // ------------------------------------------------------------ levels

    @Test
    void inputReadsItsPullUntilDrivenFromOutside() throws Exception {
        GpioLine down = chip.request(0, LineSettings.input(), "test");
        GpioLine up = chip.request(2, LineSettings.input(), "test");
        assertFalse(down.getValue());
        assertTrue(up.getValue());
        chip.setInput(0, true);
        chip.setInput(2, false);
        assertTrue(down.getValue());
        assertFalse(up.getValue());
        chip.releaseInput(2);
        assertTrue(up.getValue());
    }

    @Test
    void activeLowInputReadsInverted() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input().withActiveLow(true), "test");
        assertTrue(line.getValue());
        chip.setInput(0, true);
        assertFalse(line.getValue());
    }

    @Test
    void consumerPullSetsTheLevelOfALineNobodyDrives() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input().withBias(Bias.PULL_UP), "test");
        assertTrue(line.getValue());
        assertTrue(chip.level(0));
        chip.setInput(0, false);
        assertFalse(line.getValue(), "what the outside drives wins over the pull");
        line.close();
        chip.releaseInput(0);
        assertFalse(chip.level(0), "back to the configured pull-down");
    }

    @Test
    void outputDrivesThePinAndReadsWhatItDrives() throws Exception {
        GpioLine led = chip.request(1, LineSettings.output(true), "test");
        assertTrue(chip.level(1));
        assertTrue(led.getValue());
        led.setValue(false);
        assertFalse(chip.level(1));
        chip.setInput(1, true);
        assertFalse(chip.level(1), "a push-pull output wins over the outside");
        assertFalse(led.getValue());
        led.close();
        assertTrue(chip.level(1), "released, the line shows the external level");
    }

    @Test
    void activeLowOutputDrivesInverted() throws Exception {
        GpioLine led = chip.request(1, LineSettings.output(true).withActiveLow(true), "test");
        assertFalse(chip.level(1));
        assertTrue(led.getValue());
    }

    @Test
    void openDrainOutputOnlyPullsLow() throws Exception {
        GpioLine line = chip.request(2, LineSettings.output(false).withDrive(Drive.OPEN_DRAIN), "test");
        assertFalse(chip.level(2));
        line.setValue(true);
        assertTrue(chip.level(2), "released high, the pull-up shows");
        chip.setInput(2, false);
        assertFalse(chip.level(2));
    }

    @Test
    void openSourceOutputOnlyPullsHigh() throws Exception {
        GpioLine line = chip.request(0, LineSettings.output(true).withDrive(Drive.OPEN_SOURCE), "test");
        assertTrue(chip.level(0));
        line.setValue(false);
        assertFalse(chip.level(0), "released low, the pull-down shows");
    }

    @Test
    void inputsCannotBeDriven() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        assertEquals(Reason.INVALID_ARGUMENT, failure(() -> line.setValue(true)));
    }

    @Test
    void reconfigureSwitchesDirectionWithoutReleasing() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        line.reconfigure(LineSettings.output(true));
        assertTrue(chip.level(0));
        assertEquals(Direction.OUTPUT, line.settings().direction());
        assertEquals(Reason.BUSY, failure(() -> chip.request(0, LineSettings.input(), "other")));
        line.reconfigure(LineSettings.input());
        assertFalse(line.getValue());
    }

    @Test
    void debounceIsUnsupported() throws Exception {
        LineSettings debounced = LineSettings.input().withDebounce(Duration.ofMillis(5));
        assertEquals(Reason.UNSUPPORTED, failure(() -> chip.request(0, debounced, "test")));
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        assertEquals(Reason.UNSUPPORTED, failure(() -> line.reconfigure(debounced)));
        assertEquals(LineSettings.input(), line.settings(), "the old settings stay");
    }

    // ------------------------------------------------------------ requests

    @Test
    void aHeldLineIsBusyUntilReleased() throws Exception {
        GpioLine first = chip.request(3, LineSettings.input(), "first");
        GpioException busy = assertThrows(GpioException.class, () -> chip.request(3, LineSettings.input(), "x"));
        assertEquals(Reason.BUSY, busy.reason());
        assertTrue(busy.getMessage().contains("'first'"), busy.getMessage());
        first.close();
        first.close();
        GpioLine second = chip.request(3, LineSettings.output(false), "second");
        assertEquals(Reason.RELEASED, failure(first::getValue), "a released handle stays released");
        assertFalse(second.getValue());
    }

    @Test
    void everyOperationFailsAfterRelease() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        line.close();
        assertEquals(Reason.RELEASED, failure(line::getValue));
        assertEquals(Reason.RELEASED, failure(() -> line.setValue(true)));
        assertEquals(Reason.RELEASED, failure(() -> line.reconfigure(LineSettings.output(false))));
        assertEquals(Reason.RELEASED, failure(() -> line.watchEdges(EdgeDetection.BOTH, e -> { })));
    }

    @Test
    void offsetsOutOfRangeAreInvalid() {
        assertEquals(Reason.INVALID_ARGUMENT, failure(() -> chip.request(8, LineSettings.input(), "test")));
        assertEquals(Reason.INVALID_ARGUMENT, failure(() -> chip.request(-1, LineSettings.input(), "test")));
        assertEquals(Reason.INVALID_ARGUMENT, failure(() -> chip.lineInfo(8)));
        assertThrows(IndexOutOfBoundsException.class, () -> chip.setInput(8, true));
    }

    @Test
    void lineInfoReflectsTheRequest() throws Exception {
        assertEquals(LineInfo.unusedInput(0, "BUTTON"), chip.lineInfo(0));
        assertEquals(LineInfo.unusedInput(3, ""), chip.lineInfo(3));
        GpioLine line = chip.request(1, LineSettings.output(false).withActiveLow(true).withBias(Bias.PULL_DOWN)
                .withDrive(Drive.OPEN_SOURCE), "blinker");
        assertEquals(new LineInfo(1, "LED", true, "blinker", Direction.OUTPUT, true, Bias.PULL_DOWN,
                Drive.OPEN_SOURCE), chip.lineInfo(1));
        line.reconfigure(LineSettings.input().withBias(Bias.PULL_UP));
        assertEquals(new LineInfo(1, "LED", true, "blinker", Direction.INPUT, false, Bias.PULL_UP,
                Drive.PUSH_PULL), chip.lineInfo(1));
        line.close();
        assertEquals(LineInfo.unusedInput(1, "LED"), chip.lineInfo(1));
    }

    @Test
    void newNamesApplyWithoutDroppingLinesInUse() throws Exception {
        GpioLine line = chip.request(1, LineSettings.output(true), "test");
        chip.applyConfiguration(SimConfig.of("sim0-renamed", 8, new String[] {"", "LAMP"}, null, Duration.ZERO,
                1000));
        assertEquals("LAMP", chip.lineInfo(1).name());
        assertEquals("", chip.lineInfo(0).name());
        assertEquals("sim0-renamed", chip.label());
        assertTrue(line.getValue());
        line.setValue(false);
        assertFalse(chip.level(1));
    }

    @Test
    void closingTheChipReleasesEverything() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        Events events = new Events();
        line.watchEdges(EdgeDetection.BOTH, events);
        chip.close();
        assertEquals(Reason.RELEASED, failure(line::getValue));
        assertEquals(Reason.RELEASED, failure(() -> chip.request(1, LineSettings.input(), "test")));
        chip.setInput(0, true);
        events.assertNone();
        assertTrue(chip.play(0, List.of(new Step(true, Duration.ZERO))).isCancelled());
    }

    // ------------------------------------------------------------ faults and latency

    @Test
    void injectedFaultsFailTheNextOperationsOnly() throws Exception {
        chip.failNext(0, Reason.IO);
        GpioException fault = assertThrows(GpioException.class, () -> chip.request(0, LineSettings.input(), "t"));
        assertEquals(Reason.IO, fault.reason());
        assertEquals("injected fault on line 0 ('BUTTON') of sim0", fault.getMessage());
        assertEquals(LineInfo.unusedInput(0, "BUTTON"), chip.lineInfo(0), "the failed request changed nothing");
        GpioLine line = chip.request(0, LineSettings.output(false), "test");
        chip.failNext(0, Reason.BUSY);
        chip.failNext(0, Reason.RELEASED);
        assertEquals(Reason.BUSY, failure(() -> line.setValue(true)));
        assertFalse(chip.level(0), "the failed write changed nothing");
        assertEquals(Reason.RELEASED, failure(line::getValue));
        line.setValue(true);
        assertTrue(line.getValue());
        chip.failNext(0, Reason.IO);
        chip.clearFaults(0);
        line.setValue(false);
    }

    @Test
    void latencyDelaysOperations() throws Exception {
        chip.setLatency(Duration.ofMillis(50));
        assertEquals(Duration.ofMillis(50), chip.latency());
        long start = System.nanoTime();
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        line.getValue();
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos());
        chip.setLatency(Duration.ofSeconds(30));
        long infoStart = System.nanoTime();
        chip.lineInfo(0);
        assertTrue(System.nanoTime() - infoStart < Duration.ofSeconds(15).toNanos(), "lineInfo has no latency");
        chip.setLatency(Duration.ZERO);
        assertThrows(IllegalArgumentException.class, () -> chip.setLatency(Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> chip.setLatency(Duration.ofMillis(-1)));
    }

    // ------------------------------------------------------------ recording

    @Test
    void recordsInputAndOutputChangesInOrder() throws Exception {
        long start = System.nanoTime();
        chip.setInput(0, true);
        GpioLine led = chip.request(1, LineSettings.output(true), "test");
        led.setValue(true); // no change, not recorded
        chip.setInput(0, false);
        led.setValue(false);
        List<LevelChange> recording = chip.recording();
        assertEquals(List.of("0:true", "1:true", "0:false", "1:false"),
                recording.stream().map(c -> c.offset() + ":" + c.level()).toList());
        long last = start;
        for (LevelChange change : recording) {
            assertTrue(change.timestampNanos() >= last);
            last = change.timestampNanos();
        }
        assertTrue(chip.recordingStartNanos() <= start, "the recording started with the chip");
        long beforeClear = System.nanoTime();
        chip.clearRecording();
        assertEquals(List.of(), chip.recording());
        assertTrue(chip.recordingStartNanos() >= beforeClear, "a clear starts the recording again");
    }

    @Test
    void theRecordingKeepsTheLatestChanges() throws Exception {
        SimChip small = new SimChip(SimConfig.of("small", 2, null, null, Duration.ZERO, 3));
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 5; i++) {
                small.setInput(0, i % 2 == 0);
            }
            List<LevelChange> kept = small.recording();
            assertEquals(List.of(true, false, true), kept.stream().map(LevelChange::level).toList());
            assertTrue(small.recordingStartNanos() < kept.get(0).timestampNanos()
                    && small.recordingStartNanos() > start, "the recording starts at the last change folded out");
            StringBuilder vcd = new StringBuilder();
            small.writeVcd(vcd);
            assertTrue(vcd.toString().contains("$dumpvars\n0!\n0\"\n$end\n"), vcd.toString());
        } finally {
            small.close();
        }
    }
}
