// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.Bias;
import gpio.api.Direction;
import gpio.api.Drive;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeSubscription;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.sim.LevelChange;

class SimChipTest {

    private final SimChip chip = new SimChip(SimConfig.of("sim0", 8, new String[] {"BUTTON", "LED"},
            new String[] {"down", "down", "up"}, Duration.ZERO, 1000));

    @AfterEach
    void closeChip() {
        chip.close();
    }

    private static Reason failure(ThrowingCall call) {
        return assertThrows(GpioException.class, call::run).reason();
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

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
        assertTrue(chip.play(0, List.of(new gpio.sim.Step(true, Duration.ZERO))).isCancelled());
    }

    // ------------------------------------------------------------ edges

    @Test
    void edgesCarryTimestampsAndSequenceNumbersFromOne() throws Exception {
        GpioLine button = chip.request(0, LineSettings.input(), "test");
        GpioLine other = chip.request(3, LineSettings.input(), "test");
        Events buttonEvents = new Events();
        Events otherEvents = new Events();
        button.watchEdges(EdgeDetection.BOTH, buttonEvents);
        other.watchEdges(EdgeDetection.BOTH, otherEvents);
        long before = System.nanoTime();
        chip.setInput(0, true);
        chip.setInput(3, true);
        chip.setInput(0, false);
        long after = System.nanoTime();

        EdgeEvent first = buttonEvents.next();
        assertEquals(new EdgeEvent(0, Edge.RISING, first.timestampNanos(), 1, 1), first);
        EdgeEvent onOther = otherEvents.next();
        assertEquals(new EdgeEvent(3, Edge.RISING, onOther.timestampNanos(), 2, 1), onOther);
        EdgeEvent second = buttonEvents.next();
        assertEquals(new EdgeEvent(0, Edge.FALLING, second.timestampNanos(), 3, 2), second);
        assertTrue(before <= first.timestampNanos() && first.timestampNanos() <= onOther.timestampNanos()
                && onOther.timestampNanos() <= second.timestampNanos() && second.timestampNanos() <= after);
    }

    @Test
    void onlyTheWatchedEdgesAreReported() throws Exception {
        GpioLine rising = chip.request(0, LineSettings.input(), "test");
        GpioLine falling = chip.request(3, LineSettings.input(), "test");
        Events risingEvents = new Events();
        Events fallingEvents = new Events();
        rising.watchEdges(EdgeDetection.RISING, risingEvents);
        falling.watchEdges(EdgeDetection.FALLING, fallingEvents);
        for (int i = 0; i < 2; i++) {
            chip.setInput(0, true);
            chip.setInput(0, false);
            chip.setInput(3, true);
            chip.setInput(3, false);
        }
        EdgeEvent r1 = risingEvents.next();
        assertEquals(List.of(Edge.RISING, 1L, 1L), List.of(r1.edge(), r1.controllerSequence(), r1.lineSequence()));
        EdgeEvent f1 = fallingEvents.next();
        EdgeEvent r2 = risingEvents.next();
        EdgeEvent f2 = fallingEvents.next();
        assertEquals(List.of(Edge.FALLING, 2L, 1L), List.of(f1.edge(), f1.controllerSequence(), f1.lineSequence()));
        assertEquals(List.of(Edge.RISING, 3L, 2L), List.of(r2.edge(), r2.controllerSequence(), r2.lineSequence()));
        assertEquals(List.of(Edge.FALLING, 4L, 2L), List.of(f2.edge(), f2.controllerSequence(), f2.lineSequence()));
        chip.setInput(3, true); // a rising edge nobody watches, then a marker that must come next
        chip.setInput(0, true);
        assertEquals(5L, risingEvents.next().controllerSequence());
        fallingEvents.assertNone();
    }

    @Test
    void activeLowSwapsTheEdges() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input().withActiveLow(true), "test");
        Events events = new Events();
        line.watchEdges(EdgeDetection.RISING, events);
        chip.setInput(0, true);  // physically rising: logically falling, not reported
        chip.setInput(0, false); // physically falling: logically rising
        EdgeEvent event = events.next();
        assertEquals(Edge.RISING, event.edge());
        assertEquals(1, event.controllerSequence());
        assertFalse(chip.level(0));
    }

    @Test
    void aPullChangeOnAFloatingInputIsAnEdge() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        Events events = new Events();
        line.watchEdges(EdgeDetection.BOTH, events);
        line.reconfigure(LineSettings.input().withBias(Bias.PULL_UP));
        assertEquals(Edge.RISING, events.next().edge());
    }

    @Test
    void allEventsOfAChipArriveOnOneThread() throws Exception {
        Events events = new Events();
        for (int offset = 0; offset < 8; offset++) {
            chip.request(offset, LineSettings.input(), "test").watchEdges(EdgeDetection.BOTH, events);
        }
        for (int offset = 0; offset < 8; offset++) {
            chip.setInput(offset, !chip.externalLevel(offset));
            chip.setInput(offset, !chip.externalLevel(offset));
        }
        Thread thread = events.nextThread();
        assertNotSame(Thread.currentThread(), thread);
        assertEquals("gpio.sim sim0 events", thread.getName());
        for (int i = 1; i < 16; i++) {
            assertSame(thread, events.nextThread());
        }
        for (long sequence = 1; sequence <= 16; sequence++) {
            assertEquals(sequence, events.next().controllerSequence(), "events come in order");
        }
    }

    @Test
    void watchingNeedsAnInputWithoutAnotherWatch() throws Exception {
        GpioLine output = chip.request(1, LineSettings.output(false), "test");
        assertEquals(Reason.INVALID_ARGUMENT, failure(() -> output.watchEdges(EdgeDetection.BOTH, e -> { })));
        GpioLine input = chip.request(0, LineSettings.input(), "test");
        EdgeSubscription subscription = input.watchEdges(EdgeDetection.BOTH, e -> { });
        assertEquals(Reason.BUSY, failure(() -> input.watchEdges(EdgeDetection.BOTH, e -> { })));
        subscription.close();
        subscription.close();
        input.watchEdges(EdgeDetection.BOTH, e -> { }).close();
    }

    @Test
    void lineSequenceRestartsWithANewWatch() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        Events first = new Events();
        EdgeSubscription subscription = line.watchEdges(EdgeDetection.BOTH, first);
        chip.setInput(0, true);
        assertEquals(1, first.next().lineSequence());
        subscription.close();
        Events second = new Events();
        line.watchEdges(EdgeDetection.BOTH, second);
        chip.setInput(0, false);
        EdgeEvent event = second.next();
        assertEquals(List.of(2L, 1L), List.of(event.controllerSequence(), event.lineSequence()));
    }

    @Test
    void closeWaitsForARunningCallbackAndStopsDeliveries() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        AtomicBoolean returned = new AtomicBoolean();
        Events later = new Events();
        EdgeSubscription subscription = line.watchEdges(EdgeDetection.BOTH, event -> {
            if (event.lineSequence() == 1) {
                inCallback.countDown();
                await(mayReturn);
                returned.set(true);
            } else {
                later.onEdge(event);
            }
        });
        chip.setInput(0, true);
        assertTrue(inCallback.await(5, TimeUnit.SECONDS));
        chip.setInput(0, false); // queued behind the running callback
        CompletableFuture<Void> closing = CompletableFuture.runAsync(subscription::close);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(100, TimeUnit.MILLISECONDS),
                "close must wait for the running callback");
        mayReturn.countDown();
        closing.get(5, TimeUnit.SECONDS);
        assertTrue(returned.get(), "the callback finished before close returned");
        // Another line's event, queued after the dropped one, proves the queue has been worked off.
        Events marker = new Events();
        chip.request(3, LineSettings.input(), "test").watchEdges(EdgeDetection.BOTH, marker);
        chip.setInput(3, true);
        marker.next();
        later.assertNone();
    }

    @Test
    void closingTheChipInterruptsABlockedListenerInsteadOfHanging() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        line.watchEdges(EdgeDetection.BOTH, event -> {
            inCallback.countDown();
            try {
                new CountDownLatch(1).await(); // stuck for good, as a faulty listener may be
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        chip.setInput(0, true);
        assertTrue(inCallback.await(5, TimeUnit.SECONDS));
        assertTimeoutPreemptively(Duration.ofSeconds(10), chip::close,
                "taking the chip away must not hang on a blocked listener");
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the blocked listener was interrupted");
    }

    @Test
    void closeFromInsideTheListenerReturnsAndStopsDeliveries() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        AtomicReference<EdgeSubscription> self = new AtomicReference<>();
        Events events = new Events();
        CountDownLatch closed = new CountDownLatch(1);
        self.set(line.watchEdges(EdgeDetection.BOTH, event -> {
            events.onEdge(event);
            self.get().close();
            closed.countDown();
        }));
        chip.setInput(0, true);
        chip.setInput(0, false);
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertEquals(1, events.next().lineSequence());
        line.watchEdges(EdgeDetection.BOTH, e -> { }).close(); // the line is free for a new watch
        events.assertNone();
    }

    @Test
    void releasingTheLineClosesItsWatchSynchronously() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        line.watchEdges(EdgeDetection.BOTH, event -> {
            inCallback.countDown();
            await(mayReturn);
        });
        chip.setInput(0, true);
        assertTrue(inCallback.await(5, TimeUnit.SECONDS));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(line::close);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(100, TimeUnit.MILLISECONDS));
        mayReturn.countDown();
        closing.get(5, TimeUnit.SECONDS);
        chip.request(0, LineSettings.input(), "next").close();
    }

    @Test
    void turningAWatchedInputIntoAnOutputEndsTheWatch() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        Events events = new Events();
        line.watchEdges(EdgeDetection.BOTH, events);
        line.reconfigure(LineSettings.output(true));
        line.reconfigure(LineSettings.input());
        chip.setInput(0, true);
        Events marker = new Events();
        line.watchEdges(EdgeDetection.BOTH, marker);
        chip.setInput(0, false);
        marker.next();
        events.assertNone();
    }

    @Test
    void eventsBeyondTheQueueLimitAreDroppedLeavingASequenceGap() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        Events events = new Events();
        line.watchEdges(EdgeDetection.BOTH, event -> {
            if (event.controllerSequence() == 1) {
                inCallback.countDown();
                await(mayReturn);
            }
            events.onEdge(event);
        });
        chip.setInput(0, true);
        assertTrue(inCallback.await(5, TimeUnit.SECONDS));
        int extra = SimChip.MAX_PENDING_EVENTS + 10;
        for (int i = 0; i < extra; i++) {
            chip.setInput(0, i % 2 != 0);
        }
        mayReturn.countDown();
        for (long sequence = 1; sequence <= 1 + SimChip.MAX_PENDING_EVENTS; sequence++) {
            assertEquals(sequence, events.next().controllerSequence());
        }
        chip.setInput(0, !chip.externalLevel(0));
        EdgeEvent afterGap = events.next();
        assertEquals(List.of(2L + extra, 2L + extra), List.of(afterGap.controllerSequence(), afterGap.lineSequence()),
                "the dropped events are counted, as a gap");
        events.assertNone();
    }

    @Test
    void aThrowingListenerDoesNotStopTheEventThread() throws Exception {
        GpioLine line = chip.request(0, LineSettings.input(), "test");
        Events events = new Events();
        line.watchEdges(EdgeDetection.BOTH, event -> {
            events.onEdge(event);
            throw new IllegalStateException("listener bug (expected by the test)");
        });
        chip.setInput(0, true);
        chip.setInput(0, false);
        events.next();
        assertEquals(2, events.next().lineSequence());
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

    // ------------------------------------------------------------ waveforms and recording

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
        chip.clearRecording();
        assertEquals(List.of(), chip.recording());
    }

    @Test
    void theRecordingKeepsTheLatestChanges() throws Exception {
        SimChip small = new SimChip(SimConfig.of("small", 2, null, null, Duration.ZERO, 3));
        try {
            for (int i = 0; i < 5; i++) {
                small.setInput(0, i % 2 == 0);
            }
            assertEquals(List.of(true, false, true), small.recording().stream().map(LevelChange::level).toList());
            StringBuilder vcd = new StringBuilder();
            small.writeVcd(vcd);
            assertTrue(vcd.toString().contains("$dumpvars\n0!\n0\"\n$end\n"), vcd.toString());
        } finally {
            small.close();
        }
    }

    @Test
    void playsAWaveformWithoutDrift() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Void> done = chip.play(0, List.of(new gpio.sim.Step(true, Duration.ofMillis(30)),
                new gpio.sim.Step(false, Duration.ofMillis(20)), new gpio.sim.Step(true, Duration.ZERO)));
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
        CompletableFuture<Void> playing = chip.play(0, List.of(new gpio.sim.Step(true, Duration.ofMinutes(10)),
                new gpio.sim.Step(true, Duration.ZERO)));
        chip.setInput(0, false);
        assertTrue(playing.isCancelled());
        assertThrows(IllegalArgumentException.class, () -> chip.play(0, List.of()));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
