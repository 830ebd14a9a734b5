// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;

/**
 * The watchdog bounds every request by the time it was queued: with every
 * worker wedged in a controller call, every other line's requests are still
 * answered (ERR) in time; a release asked for behind a wedged call is carried
 * out once the call returns, other expired messages are not; and however the
 * drainer and the watchdog race, every request is answered exactly once.
 */
class WedgedControllerTest {

    /** What a request may take. */
    static final Duration TIMEOUT = Duration.ofMillis(400);
    /** Beyond the timeout: the watchdog period, and a busy build machine. */
    static final Duration MARGIN = Duration.ofMillis(1500);

    private final TestController controller = new TestController("t", "l0", "l1", "l2", "l3");
    private final ThreadedDevice threaded = new ThreadedDevice("wedged", 2, TIMEOUT, controller);

    @AfterEach
    void stop() {
        controller.open();
        threaded.close();
    }

    private InMemoryChain send(int type, int gpio, int value) {
        InMemoryChain chain = InMemoryChain.request(type, gpio, value);
        threaded.device().handle(REQUEST_QUEUE, chain);
        return chain;
    }

    private InMemoryChain call(int type, int gpio, int value) throws InterruptedException {
        return send(type, gpio, value).awaitCompletion(Guest.WAIT);
    }

    /** Sends until the line answers OK: a message that arrives before the wedged call has returned gets ERR. */
    private InMemoryChain callUntilOk(int type, int gpio, int value) {
        InMemoryChain[] last = new InMemoryChain[1];
        Await.until("line " + gpio + " answers OK again", () -> {
            try {
                last[0] = call(type, gpio, value);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return last[0].written(0) == STATUS_OK;
        });
        return last[0];
    }

    private static void assertAnswer(InMemoryChain chain, int status, int value) {
        assertEquals(1, chain.completions(), "answered once");
        assertEquals(0, chain.writesAfterCompletion(), "never answered again");
        assertEquals(status, chain.written(0), "status");
        assertEquals(value, chain.written(1), "value");
    }

    /** Wedges both workers: lines 0 and 1 (outputs) each in a SET_VALUE 1 that does not return. */
    private List<InMemoryChain> wedgeBothWorkers() throws InterruptedException {
        assertAnswer(call(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_OK, 0);
        assertAnswer(call(MSG_SET_DIRECTION, 1, DIRECTION_OUT), STATUS_OK, 0);
        controller.stall(0, 1);
        List<InMemoryChain> wedged = List.of(send(MSG_SET_VALUE, 0, 1), send(MSG_SET_VALUE, 1, 1));
        Await.until("both workers in a controller call",
                () -> controller.calls().contains("setValue=1 0") && controller.calls().contains("setValue=1 1"));
        return wedged;
    }

    /** Waits for each chain until {@link #TIMEOUT} plus {@link #MARGIN} after {@code start}. */
    private static void awaitInTime(long start, List<InMemoryChain> chains) throws InterruptedException {
        for (InMemoryChain chain : chains) {
            long left = start + TIMEOUT.plus(MARGIN).toNanos() - System.nanoTime();
            chain.awaitCompletion(Duration.ofNanos(Math.max(1, left)));
        }
    }

    @Test
    void otherLinesAreAnsweredInTimeWhileEveryWorkerIsWedged() throws InterruptedException {
        List<InMemoryChain> wedged = wedgeBothWorkers();
        long start = System.nanoTime();
        List<InMemoryChain> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(send(MSG_SET_DIRECTION, 2, DIRECTION_OUT));
            waiting.add(send(MSG_GET_DIRECTION, 3, 0));
        }
        awaitInTime(start, waiting);
        awaitInTime(start, wedged);
        for (InMemoryChain chain : waiting) {
            assertAnswer(chain, STATUS_ERR, 0);
        }
        for (InMemoryChain chain : wedged) {
            assertAnswer(chain, STATUS_ERR, 0);
        }
        assertFalse(controller.isHeld(2), "ERR without being carried out");

        controller.open();
        assertAnswer(call(MSG_SET_DIRECTION, 2, DIRECTION_OUT), STATUS_OK, 0);
        assertAnswer(call(MSG_GET_DIRECTION, 3, 0), STATUS_OK, DIRECTION_IN);
        assertAnswer(callUntilOk(MSG_GET_VALUE, 0, 0), STATUS_OK, 1);
        assertAnswer(callUntilOk(MSG_GET_VALUE, 1, 0), STATUS_OK, 1);
        for (InMemoryChain chain : waiting) {
            assertAnswer(chain, STATUS_ERR, 0); // the drainers skipped what the watchdog answered
        }
        for (InMemoryChain chain : wedged) {
            assertAnswer(chain, STATUS_ERR, 0); // the late results were dropped
        }
    }

    @Test
    void aReleaseBehindAWedgedCallIsCarriedOutWhenItReturnsOtherExpiredMessagesAreNot()
            throws InterruptedException {
        List<InMemoryChain> wedged = wedgeBothWorkers();
        long start = System.nanoTime();
        InMemoryChain release = send(MSG_SET_DIRECTION, 0, DIRECTION_NONE);
        InMemoryChain lower = send(MSG_SET_VALUE, 1, 0);
        awaitInTime(start, List.of(release, lower));
        assertAnswer(release, STATUS_ERR, 0);
        assertAnswer(lower, STATUS_ERR, 0);
        assertTrue(controller.isHeld(0), "still in the wedged call");

        controller.open();
        Await.until("line 0 released at the controller", () -> !controller.isHeld(0));
        List<String> calls = controller.calls();
        assertTrue(calls.indexOf("release 0") > calls.indexOf("setValue=1 0"), "released after the call: " + calls);
        assertAnswer(call(MSG_GET_DIRECTION, 0, 0), STATUS_OK, DIRECTION_IN);
        assertAnswer(callUntilOk(MSG_GET_VALUE, 1, 0), STATUS_OK, 1);
        assertFalse(controller.calls().contains("setValue=0 1"), "the expired SET_VALUE 0 was not carried out");
        assertTrue(controller.level(1));
        for (InMemoryChain chain : wedged) {
            assertAnswer(chain, STATUS_ERR, 0);
        }
    }

    @Test
    void everyRequestIsAnsweredExactlyOnceWhileTheWatchdogAndTheWorkersRace() throws InterruptedException {
        Object chip = SimChips.create("slow", "a", "b", "c", "d");
        GpioSimulator sim = (GpioSimulator) chip;
        // Calls take about as long as a request may wait: requests expire in the queue, in flight, or not at all.
        Duration timeout = Duration.ofMillis(20);
        sim.setLatency(Duration.ofMillis(3));
        List<InMemoryChain> sent = new ArrayList<>();
        try (ThreadedDevice racing = new ThreadedDevice("racing", 2, timeout, (GpioController) chip)) {
            for (int round = 0; round < 100; round++) {
                for (int line = 0; line < 4; line++) {
                    InMemoryChain chain = InMemoryChain.request(round == 0 ? MSG_SET_DIRECTION : MSG_SET_VALUE,
                            line, round == 0 ? DIRECTION_OUT : round & 1);
                    racing.device().handle(REQUEST_QUEUE, chain);
                    sent.add(chain);
                }
            }
            int ok = 0;
            for (InMemoryChain chain : sent) {
                chain.awaitCompletion(Guest.WAIT);
                ok += chain.written(0) == STATUS_OK ? 1 : 0;
            }
            assertTrue(ok > 0 && ok < sent.size(), ok + " of " + sent.size() + " OK: both the drainers and the"
                    + " watchdog answered");
            sim.setLatency(Duration.ZERO);
            // Each line's drainer has gone past everything sent before this.
            for (int line = 0; line < 4; line++) {
                InMemoryChain last = InMemoryChain.request(MSG_GET_DIRECTION, line, 0);
                racing.device().handle(REQUEST_QUEUE, last);
                last.awaitCompletion(Guest.WAIT);
            }
        } finally {
            SimChips.close(chip);
        }
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(1, sent.get(i).completions(), "chain " + i + " answered once");
            assertEquals(0, sent.get(i).writesAfterCompletion(), "chain " + i + " never answered again");
        }
    }
}
