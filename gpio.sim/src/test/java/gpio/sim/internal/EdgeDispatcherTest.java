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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import gpio.api.Bias;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeSubscription;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineSettings;

/** Edge events of a chip's watched lines: numbering, order, the one event thread, closing watches, faulty listeners. */
class EdgeDispatcherTest extends ChipFixture {

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
        assertThrows(TimeoutException.class, () -> closing.get(100, TimeUnit.MILLISECONDS),
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
        assertThrows(TimeoutException.class, () -> closing.get(100, TimeUnit.MILLISECONDS));
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
        int extra = EdgeDispatcher.MAX_PENDING_EVENTS + 10;
        for (int i = 0; i < extra; i++) {
            chip.setInput(0, i % 2 != 0);
        }
        mayReturn.countDown();
        for (long sequence = 1; sequence <= 1 + EdgeDispatcher.MAX_PENDING_EVENTS; sequence++) {
            assertEquals(sequence, events.next().controllerSequence());
        }
        chip.setInput(0, !chip.externalLevel(0));
        EdgeEvent afterGap = events.next();
        assertEquals(List.of(2L + extra, 2L + extra), List.of(afterGap.controllerSequence(), afterGap.lineSequence()),
                "the dropped events are counted, as a gap");
        events.assertNone();
    }

    @Test
    void aListenerThrowingAnErrorKeepsTheEventThreadAndEveryWatch() throws Exception {
        GpioLine faulty = chip.request(0, LineSettings.input(), "test");
        GpioLine other = chip.request(3, LineSettings.input(), "test");
        Error bug = new Error("listener bug (expected by the test)");
        Events faultyEvents = new Events();
        faulty.watchEdges(EdgeDetection.BOTH, event -> {
            faultyEvents.onEdge(event);
            throw bug;
        });
        Events otherEvents = new Events();
        other.watchEdges(EdgeDetection.BOTH, otherEvents);
        try (LogRecords log = new LogRecords(SimSubscription.class)) {
            chip.setInput(0, true);
            assertEquals(1, faultyEvents.next().lineSequence());
            chip.setInput(3, true);
            EdgeEvent onOther = otherEvents.next();
            assertEquals(new EdgeEvent(3, Edge.RISING, onOther.timestampNanos(), 2, 1), onOther,
                    "the other line's listener gets the next edge");
            chip.setInput(0, false);
            assertEquals(2, faultyEvents.next().lineSequence(), "the faulty listener stays subscribed");
            Thread eventThread = faultyEvents.nextThread();
            assertSame(eventThread, otherEvents.nextThread(), "the same event thread carries on");
            assertSame(eventThread, faultyEvents.nextThread());

            Await.until("both failures are logged", () -> log.records().size() == 2);
            LogRecord first = log.records().get(0);
            assertEquals(Level.WARNING, first.getLevel());
            assertSame(bug, first.getThrown());
            assertTrue(first.getMessage().contains("on line 0 of sim0 failed on EdgeEvent[offset=0, edge=RISING"),
                    first.getMessage());
        }
    }
}
