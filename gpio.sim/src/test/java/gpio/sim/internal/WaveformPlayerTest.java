// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gpio.api.Bias;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.sim.LevelChange;
import gpio.sim.Step;

/** Waveforms and pulses played on the external level of a chip's lines. */
class WaveformPlayerTest extends ChipFixture {

    @Test
    void playsAWaveformWithoutDrift() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Void> done = chip.play(0, List.of(new Step(true, Duration.ofMillis(30)),
                new Step(false, Duration.ofMillis(20)), new Step(true, Duration.ZERO)));
        done.get(5, TimeUnit.SECONDS);
        List<LevelChange> recording = chip.recording();
        assertEquals(List.of(true, false, true), recording.stream().map(LevelChange::level).toList());
        assertTrue(recording.get(0).timestampNanos() >= start);
        assertTrue(recording.get(1).timestampNanos() - recording.get(0).timestampNanos()
                >= Duration.ofMillis(30).toNanos());
        assertTrue(recording.get(2).timestampNanos() - start >= Duration.ofMillis(50).toNanos());
        assertTrue(chip.externalLevel(0), "the last level stays");
    }

    @Test
    void aPulseReturnsToThePreviousLevelAndIsSeenAsTwoEdges() throws Exception {
        GpioLine line = chip.request(2, LineSettings.input(), "test");
        Events events = new Events();
        line.watchEdges(EdgeDetection.BOTH, events);
        chip.pulse(2, false, Duration.ofMillis(10)).get(5, TimeUnit.SECONDS);
        EdgeEvent falling = events.next();
        EdgeEvent rising = events.next();
        assertEquals(List.of(Edge.FALLING, Edge.RISING), List.of(falling.edge(), rising.edge()));
        assertTrue(rising.timestampNanos() - falling.timestampNanos() >= Duration.ofMillis(10).toNanos());
        assertTrue(line.getValue());
    }

    @Test
    void settingTheInputStopsAWaveform() throws Exception {
        CompletableFuture<Void> playing = chip.play(0, List.of(new Step(true, Duration.ofMinutes(10)),
                new Step(true, Duration.ZERO)));
        chip.setInput(0, false);
        assertTrue(playing.isCancelled());
        assertThrows(IllegalArgumentException.class, () -> chip.play(0, List.of()));
    }

    private static final Duration LONG = Duration.ofMinutes(59);

    /** The ways a waveform playing on line 0 is stopped. */
    enum Stop {
        NEW_WAVEFORM(chip -> chip.play(0, List.of(new Step(true, Duration.ZERO)))),
        PULSE(chip -> chip.pulse(0, true, LONG)),
        SET_INPUT(chip -> chip.setInput(0, true)),
        RELEASE_INPUT(chip -> chip.releaseInput(0)),
        CHIP_CLOSED(SimChip::close);

        final Consumer<SimChip> action;

        Stop(Consumer<SimChip> action) {
            this.action = action;
        }
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void aStoppedWaveformLeavesNoStepScheduled(Stop stop) {
        CompletableFuture<Void> playing = chip.play(0, List.of(new Step(true, LONG), new Step(false, Duration.ZERO)));
        Await.until("the first step is applied", () -> chip.externalLevel(0));
        assertEquals(1, chip.queuedTasks(), "the second step waits in the queue");
        stop.action.accept(chip);
        assertTrue(playing.isCancelled());
        // The stopped waveform's step, due in an hour, must be gone at once; a pulse queues its own.
        int expected = stop == Stop.PULSE ? 1 : 0;
        Await.until("the queue holds " + expected + " step(s)", () -> chip.queuedTasks() == expected);
    }

    @Test
    void cancellingTheFutureStopsTheWaveformAndUnschedulesItsStep() {
        CompletableFuture<Void> playing = chip.play(0, List.of(new Step(true, LONG), new Step(false, Duration.ZERO)));
        Await.until("the first step is applied", () -> chip.externalLevel(0));
        playing.cancel(false);
        assertEquals(0, chip.queuedTasks());
        assertTrue(chip.externalLevel(0), "the level last driven stays");
    }

    @Test
    void aStoppedWaveformNeverChangesTheLevelAgain() throws Exception {
        chip.play(0, List.of(new Step(true, Duration.ofMillis(20)), new Step(false, Duration.ofMillis(20)),
                new Step(true, Duration.ofMillis(20)), new Step(false, Duration.ZERO)));
        Await.until("the first step is applied", () -> chip.externalLevel(0));
        chip.setInput(0, true);
        long stopped = System.nanoTime();
        // A step on another line due after every step of the stopped waveform: once it has run on the
        // one event thread, any step of the stopped waveform would have run too.
        chip.play(1, List.of(new Step(true, Duration.ofMillis(100)), new Step(false, Duration.ZERO)))
                .get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), chip.recording().stream()
                .filter(change -> change.offset() == 0 && change.timestampNanos() >= stopped).toList());
        assertTrue(chip.level(0));
    }

    @Test
    void aPulseOnALineNobodyDrivesLeavesItFollowingItsPull() throws Exception {
        chip.pulse(0, true, Duration.ofMillis(10)).get(5, TimeUnit.SECONDS);
        assertFalse(chip.level(0), "back at the configured pull-down");
        GpioLine line = chip.request(0, LineSettings.input().withBias(Bias.PULL_UP), "test");
        assertTrue(line.getValue(), "undriven, the line follows the pull its consumer asks for");
        assertEquals(List.of(true, false, true), chip.recording().stream().map(LevelChange::level).toList());
    }

    @Test
    void aPulseOnADrivenLineGoesBackToTheDrivenLevel() throws Exception {
        chip.setInput(2, false);
        chip.pulse(2, true, Duration.ofMillis(10)).get(5, TimeUnit.SECONDS);
        assertFalse(chip.level(2), "driven low again, against its pull-up");
        GpioLine line = chip.request(2, LineSettings.input().withBias(Bias.PULL_UP), "test");
        assertFalse(line.getValue(), "still driven: the consumer's pull does not show");
    }

    @Test
    void aFailingStepIsLoggedAndEndsOnlyItsWaveform() throws Exception {
        Error fault = new Error("step fault (expected by the test)");
        AtomicInteger drives = new AtomicInteger();
        LineState line = new LineState(0, "", false);
        EdgeDispatcher eventThread = new EdgeDispatcher(() -> "unit");
        WaveformPlayer player = new WaveformPlayer(() -> "unit", new Object(), eventThread, (target, level) -> {
            if (drives.incrementAndGet() == 1) {
                throw fault;
            }
            target.externalDrive = level;
        });
        try (LogRecords log = new LogRecords(WaveformPlayer.class)) {
            CompletableFuture<Void> failed = player.play(line, List.of(new Step(true, Duration.ZERO)), false);
            ExecutionException failure = assertThrows(ExecutionException.class, () -> failed.get(5, TimeUnit.SECONDS));
            assertSame(fault, failure.getCause());
            assertEquals(1, log.records().size());
            assertEquals(Level.SEVERE, log.records().get(0).getLevel());
            assertEquals("The waveform on line 0 of unit failed at step 1 of 1 and stopped",
                    log.records().get(0).getMessage());

            player.play(line, List.of(new Step(true, Duration.ZERO)), false).get(5, TimeUnit.SECONDS);
            assertEquals(Boolean.TRUE, line.externalDrive, "the next waveform plays on the same thread");
        } finally {
            eventThread.close();
        }
    }
}
