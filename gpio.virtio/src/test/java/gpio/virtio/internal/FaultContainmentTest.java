// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.EVENT_QUEUE;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.REQUEST_QUEUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Errors (not only exceptions) from a controller, from guest memory and from
 * the watchdog task end neither a worker nor the watchdog: on one worker
 * thread, the request that failed is answered ERR and the same line then
 * answers normally.
 */
class FaultContainmentTest {

    private final TestController controller = new TestController("t", "l0", "l1");
    private final ThreadedDevice threaded = new ThreadedDevice("faults", 1, Duration.ofSeconds(5), controller);
    private final LogCapture log = new LogCapture();

    @AfterEach
    void stop() {
        threaded.close();
        log.close();
    }

    private InMemoryChain call(int type, int gpio, int value) throws InterruptedException {
        InMemoryChain chain = InMemoryChain.request(type, gpio, value);
        threaded.device().handle(REQUEST_QUEUE, chain);
        return chain.awaitCompletion(Guest.WAIT);
    }

    private static void assertAnswer(InMemoryChain chain, int status, int value) {
        assertEquals(1, chain.completions(), "answered once");
        assertEquals(status, chain.written(0), "status");
        assertEquals(value, chain.written(1), "value");
    }

    private static Thread thread(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no thread " + name);
    }

    @Test
    void anErrorThrownByTheControllerIsErrAndTheSameWorkerServesTheLineOn() throws InterruptedException {
        Thread worker = thread("faults-worker-0");
        controller.throwNext(new InternalError("injected fault"));
        assertAnswer(call(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_ERR, 0);
        assertAnswer(call(MSG_GET_DIRECTION, 0, 0), STATUS_OK, DIRECTION_IN); // the failed direction was undone
        assertAnswer(call(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_OK, 0);
        controller.throwNext(new AssertionError("controller bug"));
        assertAnswer(call(MSG_SET_VALUE, 0, 1), STATUS_ERR, 0);
        assertAnswer(call(MSG_GET_VALUE, 0, 0), STATUS_OK, 0); // the failed value was undone
        assertAnswer(call(MSG_SET_VALUE, 0, 1), STATUS_OK, 0);
        assertAnswer(call(MSG_GET_VALUE, 0, 0), STATUS_OK, 1);
        assertTrue(worker.isAlive(), "the one worker is still alive");
        assertEquals(1, log.containing("line 0", "SET_DIRECTION 1 failed", "InternalError: injected fault").size(),
                "logged once with the line and the message");
    }

    @Test
    void aReleaseWhoseEdgeWatchFailsToCloseStillReleasesTheLine() throws InterruptedException {
        assertAnswer(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), STATUS_OK, 0);
        assertAnswer(call(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH), STATUS_OK, 0);
        assertTrue(controller.isWatched(1));
        controller.throwNext(new InternalError("injected fault"));
        assertAnswer(call(MSG_SET_DIRECTION, 1, DIRECTION_NONE), STATUS_ERR, 0);
        assertFalse(controller.isHeld(1), "released all the same");
        assertEquals(1, log.containing("line 1", "InternalError: injected fault", "SET_DIRECTION 0").size());
        assertAnswer(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), STATUS_OK, 0);
        assertFalse(controller.isWatched(1), "the interrupt type was discarded with the release");
    }

    @Test
    void aFaultInGuestMemoryEndsOnlyTheItemThatHitIt() throws InterruptedException {
        Thread worker = thread("faults-worker-0");
        // Returning an eventq buffer (INVALID: the interrupt is disabled) faults inside the line state.
        InMemoryChain irq = InMemoryChain.irq(1).faulting();
        threaded.device().handle(EVENT_QUEUE, irq);
        // Answering this request faults: it cannot be answered.
        InMemoryChain request = InMemoryChain.request(MSG_GET_DIRECTION, 1, 0).faulting();
        threaded.device().handle(REQUEST_QUEUE, request);
        // Queued behind both on the same line: answered normally.
        assertAnswer(call(MSG_GET_DIRECTION, 1, 0), STATUS_OK, DIRECTION_IN);
        assertAnswer(call(MSG_SET_DIRECTION, 1, DIRECTION_IN), STATUS_OK, 0);
        // The line takes requests before eventq buffers: the buffer may be handled only now.
        Await.until("the eventq buffer's fault is logged",
                () -> !log.containing("line 1", "InternalError", "while taking an eventq buffer").isEmpty());
        assertFalse(irq.completed());
        assertFalse(request.completed());
        assertTrue(worker.isAlive(), "the one worker is still alive");
        assertEquals(1, log.containing("line 1", "InternalError", "while taking an eventq buffer").size(),
                "logged once with the line and what it was doing");
        assertEquals(1, log.containing("line 1", "answering a request failed", "InternalError").size());
    }

    @Test
    void aTaskThatThrowsDoesNotEndItsWorker() throws InterruptedException {
        Thread worker = thread("faults-worker-0");
        CountDownLatch ranAfter = new CountDownLatch(1);
        threaded.threads().execute(() -> {
            throw new OutOfMemoryError("injected");
        });
        threaded.threads().execute(ranAfter::countDown);
        assertTrue(ranAfter.await(Guest.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the next task ran");
        assertTrue(worker.isAlive());
        assertEquals(1, log.containing("faults-worker-0", "goes on", "OutOfMemoryError: injected").size());
    }

    @Test
    void aWatchdogRunThatThrowsDoesNotEndTheWatchdog() {
        AtomicInteger runs = new AtomicInteger();
        DeviceThreads threads = new DeviceThreads("failing", 1, () -> {
            if (runs.incrementAndGet() <= 2) {
                throw new InternalError("injected fault");
            }
        }, ThreadedDevice.WATCHDOG_PERIOD, new DeviceLog("failing"));
        try {
            Await.until("the watchdog ran again after two failures", () -> runs.get() >= 4);
            assertTrue(thread("failing-watchdog").isAlive());
            assertEquals(2, log.containing("watchdog task failed", "InternalError: injected fault").size());
        } finally {
            threads.close();
        }
    }
}
