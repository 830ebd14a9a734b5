// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.InMemoryChain.irq;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_HIGH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Swapping the controller under a guest, and the threading rules, with the
 * device's real worker threads and controllers in memory.
 */
class LiveSwapTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestController first = new TestController("a", "l0", "l1", "l2", "l3");
    private final TestController second = new TestController("b", "m0", "m1", "m2", "m3");
    private final DeviceLog log = new DeviceLog("swap");
    private final GpioDevice[] holder = new GpioDevice[1];
    private final DeviceThreads threads = new DeviceThreads("test", 2,
            () -> holder[0].expireStuckRequests(System.nanoTime()), Duration.ofMillis(20), log);
    private final GpioDevice device = new GpioDevice(
            new DeviceOptions(null, Map.of(), "vm", true, Duration.ofMillis(300)), threads, log);

    LiveSwapTest() {
        holder[0] = device;
        device.setController(first);
        device.featuresNegotiated(device.offeredFeatures());
    }

    @AfterEach
    void stop() {
        first.open();
        second.open();
        threads.close();
    }

    private InMemoryChain send(int type, int gpio, int value) {
        InMemoryChain chain = InMemoryChain.request(type, gpio, value);
        device.handle(REQUEST_QUEUE, chain);
        return chain;
    }

    private InMemoryChain call(int type, int gpio, int value) throws InterruptedException {
        return send(type, gpio, value).awaitCompletion(WAIT);
    }

    private static void assertOk(InMemoryChain chain, int value) {
        assertEquals(2, chain.usedLength());
        assertEquals(0, chain.written(0), "status OK");
        assertEquals(value, chain.written(1));
    }


    @Test
    void messagesForOneLineAreAnsweredInOrderWhileOtherLinesGoOn() throws InterruptedException {
        assertOk(call(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        first.stall(0);
        List<InMemoryChain> line0 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            line0.add(send(MSG_SET_VALUE, 0, i & 1));
        }
        // Line 0 is stuck in a slow call; line 1 is not held up by it.
        assertOk(call(MSG_GET_DIRECTION, 1, 0), DIRECTION_IN);
        assertFalse(line0.get(0).completed());
        first.open();
        for (InMemoryChain c : line0) {
            c.awaitCompletion(WAIT);
            assertOk(c, 0);
        }
        List<String> sets = new ArrayList<>();
        for (String call : first.calls()) {
            if (call.startsWith("setValue")) {
                sets.add(call);
            }
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("setValue=" + (i & 1) + " 0", sets.get(i), "call " + i + " in order");
        }
        assertEquals(20, sets.size());
    }

    @Test
    void aControllerCallThatNeverReturnsIsAnsweredErrAndTheLateResultIsDropped() throws InterruptedException {
        assertOk(call(MSG_SET_DIRECTION, 2, DIRECTION_IN), 0);
        first.stall(2);
        InMemoryChain stuck = send(MSG_GET_VALUE, 2, 0).awaitCompletion(WAIT);
        assertEquals(1, stuck.written(0), "status ERR after the timeout");
        InMemoryChain queued = send(MSG_GET_VALUE, 2, 0).awaitCompletion(WAIT);
        assertEquals(1, queued.written(0), "queued behind a stuck call: ERR too");
        first.open();
        Await.until("the line works again", () -> {
            try {
                InMemoryChain again = call(MSG_GET_VALUE, 2, 0);
                return again.written(0) == 0;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, stuck.completions(), "answered once");
        assertEquals(1, queued.completions(), "answered once");
    }

    @Test
    void swapReplaysDirectionValueAndInterruptOnTheNewController() throws InterruptedException {
        assertOk(call(MSG_SET_VALUE, 0, 1), 0);
        assertOk(call(MSG_SET_DIRECTION, 0, DIRECTION_OUT), 0);
        assertOk(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(call(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        InMemoryChain held = irq(1);
        device.handle(EVENT_QUEUE, held);

        device.setController(second);
        Await.until("line 0 driven high on the new controller", () -> second.isHeld(0) && second.level(0));
        Await.until("line 1 watched on the new controller", () -> second.isWatched(1));
        Await.until("old controller released", () -> !first.isHeld(0) && !first.isHeld(1));
        assertTrue(second.calls().contains("request 0 out=1"), second.calls().toString());
        assertFalse(held.completed(), "the held eventq buffer stays held");

        second.drive(1, true);
        held.awaitCompletion(WAIT);
        assertEquals(1, held.written(0), "VALID from the new controller's edge");
        first.drive(1, true);
        assertOk(call(MSG_GET_DIRECTION, 0, 0), DIRECTION_OUT);
    }

    @Test
    void aSwapDuringTheDrainOfAnotherItemStillMovesTheLine() throws InterruptedException {
        // A swap that lands while a worker takes an eventq buffer for the line must
        // still move the line's edge watch, whichever of the two comes first.
        assertOk(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(call(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        TestController[] sides = {first, second};
        for (int round = 1; round <= 300; round++) {
            TestController next = sides[round & 1];
            device.handle(EVENT_QUEUE, irq(1));
            device.setController(next);
            int r = round;
            Await.until("round " + r + ": line 1 watched on the new controller", () -> next.isWatched(1));
        }
    }

    @Test
    void latchedEdgeAndLevelSurviveASwap() throws InterruptedException {
        assertOk(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(call(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        assertOk(call(MSG_SET_DIRECTION, 2, DIRECTION_IN), 0);
        assertOk(call(MSG_SET_IRQ_TYPE, 2, IRQ_TYPE_LEVEL_HIGH), 0);
        InMemoryChain level = irq(2);
        device.handle(EVENT_QUEUE, level);
        first.drive(1, true);
        Await.until("edge counted", () -> first.calls().contains("watchEdges BOTH 1"));
        second.drive(2, true); // the new controller's line is already active
        device.setController(second);
        level.awaitCompletion(WAIT);
        assertEquals(1, level.written(0), "level active on the new controller: VALID");
        InMemoryChain edge = irq(1);
        device.handle(EVENT_QUEUE, edge);
        edge.awaitCompletion(WAIT);
        assertEquals(1, edge.written(0), "the edge latched before the swap is delivered");
    }

    @Test
    void edgesNotYetHandledAtASwapAreNotLost() throws InterruptedException {
        assertOk(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), 0);
        assertOk(call(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), 0);
        // Stall the line's queue on a slow call, so the edge is counted but not handled before the swap.
        first.stall(1);
        InMemoryChain slow = send(MSG_GET_VALUE, 1, 0);
        Await.until("the slow call started", () -> first.calls().contains("getValue 1"));
        first.drive(1, true);
        device.setController(second);
        InMemoryChain next = send(MSG_GET_DIRECTION, 1, 0); // handled first, right after the swap
        first.open();
        slow.awaitCompletion(WAIT);
        assertOk(next.awaitCompletion(WAIT), DIRECTION_IN);
        InMemoryChain irq = irq(1);
        device.handle(EVENT_QUEUE, irq);
        irq.awaitCompletion(WAIT);
        assertEquals(1, irq.written(0), "the edge seen before the swap is delivered");
    }

    @Test
    void withoutControllerLinesAnswerErrAndKeepTheirStateForTheNextOne() throws InterruptedException {
        assertOk(call(MSG_SET_VALUE, 3, 1), 0);
        assertOk(call(MSG_SET_DIRECTION, 3, DIRECTION_OUT), 0);
        device.setController(null);
        Await.until("released", () -> !first.isHeld(3));
        assertEquals(1, call(MSG_SET_VALUE, 3, 0).written(0), "ERR without controller");
        assertOk(call(MSG_GET_DIRECTION, 3, 0), DIRECTION_OUT);
        device.setController(second);
        Await.until("replayed", () -> second.isHeld(3) && second.level(3));
    }

    @Test
    void requestsInFlightAcrossASwapAreAnsweredOnceEach() throws InterruptedException {
        for (int line = 0; line < 4; line++) {
            assertOk(call(MSG_SET_DIRECTION, line, DIRECTION_OUT), 0);
        }
        List<InMemoryChain> sent = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            for (int line = 0; line < 4; line++) {
                sent.add(send(MSG_SET_VALUE, line, round & 1));
            }
            if (round == 50) {
                device.setController(second);
            }
            if (round == 120) {
                device.setController(first);
            }
        }
        for (InMemoryChain c : sent) {
            c.awaitCompletion(WAIT);
            assertOk(c, 0);
            assertEquals(1, c.completions());
        }
        for (int line = 0; line < 4; line++) {
            assertOk(call(MSG_GET_VALUE, line, 0), 1);
            assertTrue(first.isHeld(line));
            assertFalse(second.isHeld(line));
        }
    }
}
