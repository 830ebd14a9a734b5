// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * The fast path seen by a guest through the real transport: requests for lines
 * whose controller declares its calls non-blocking are carried out on the
 * endpoint thread, and go on at full speed while every worker is wedged in a
 * call of another controller, and so do its eventq buffers and edges; a line whose
 * controller may block never runs a call on the endpoint thread, also right after
 * a swap.
 */
class FastPathOverVhostUserTest {

    /** Long enough that the wedged calls are still running when the test looks. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int ROUND_TRIPS = 2_000;
    /** How the transport names the thread serving an endpoint, followed by the socket path. */
    private static final String ENDPOINT_THREAD = "vhost-user ";

    @TempDir
    Path dir;
    private final TestController slow = new TestController("slow", "s0", "s1");
    private final TestController fast = new TestController("fast", "f0", "f1");
    private final VhostUserTransportComponent transport = new VhostUserTransportComponent();
    private ThreadedDevice threaded;

    @AfterEach
    void stop() {
        slow.open();
        fast.open();
        transport.close();
        if (threaded != null) {
            threaded.close();
        }
    }

    private Path socket() {
        return dir.resolve("gpio.sock");
    }

    private FrontendGuest connect(GpioDevice device) throws Exception {
        transport.open(socket(), PosixFilePermissions.fromString("rw-------"), device);
        return new FrontendGuest(socket(), 64);
    }

    private static int answer(Guest.Pending pending, int status) throws Exception {
        int[] r = pending.await();
        assertEquals(status, r[0], "status");
        return r[1];
    }

    /** Guest lines 0 and 1, outputs of the slow controller, get a SET_VALUE each that never returns. */
    private void wedgeBothWorkers(FrontendGuest guest) throws Exception {
        slow.stall(0, 1);
        guest.submit(MSG_SET_VALUE, 0, 1);
        guest.submit(MSG_SET_VALUE, 1, 1);
        Await.until("both workers in a wedged call",
                () -> slow.calls().contains("setValue=1 0") && slow.calls().contains("setValue=1 1"));
    }

    @Test
    void aLineOnTheFastPathGoesOnWhileEveryWorkerIsWedgedInAnotherLinesCall() throws Exception {
        fast.declareNonBlocking(true);
        LineMap map = LineMap.parse("slow:0, slow:1, fast:0, fast:1", new String[0], "", new String[0]);
        threaded = new ThreadedDevice("fast-path", 2, new DeviceOptions(map, "vm", true, TIMEOUT), slow, fast);
        try (FrontendGuest guest = connect(threaded.device())) {
            for (int line = 0; line < 4; line++) {
                answer(guest.submit(MSG_SET_DIRECTION, line, DIRECTION_OUT), STATUS_OK);
            }
            wedgeBothWorkers(guest);

            int firstFastCall = fast.calls().size();
            long start = System.nanoTime();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                int value = i & 1;
                answer(guest.submit(MSG_SET_VALUE, 2 + value, value), STATUS_OK);
                assertEquals(value, answer(guest.submit(MSG_GET_VALUE, 2 + value, 0), STATUS_OK),
                        "the value just set is read back");
            }
            long elapsed = System.nanoTime() - start;

            assertEquals(2, guest.outstandingRequests(), "the two wedged requests are still unanswered");
            assertTrue(elapsed < TIMEOUT.toNanos() / 4, 2 * ROUND_TRIPS + " round trips took " + elapsed / 1_000_000
                    + " ms: they waited for the wedged calls");
            Set<String> threads = fast.callThreadsSince(firstFastCall);
            assertEquals(Set.of(ENDPOINT_THREAD + socket()), threads,
                    "the fast lines' calls ran on the endpoint thread, not on a worker");

            slow.open();
            assertEquals(1, answer(guest.submit(MSG_GET_VALUE, 3, 0), STATUS_OK), "line 3 was set to 1 last");
            Await.until("the wedged requests answered", () -> guest.outstandingRequests() == 0);
        }
    }

    @Test
    void edgesOfALineOnTheFastPathReachTheGuestWhileEveryWorkerIsWedged() throws Exception {
        fast.declareNonBlocking(true);
        LineMap map = LineMap.parse("slow:0, slow:1, fast:0", new String[0], "", new String[0]);
        threaded = new ThreadedDevice("fast-edges", 2, new DeviceOptions(map, "vm", true, TIMEOUT), slow, fast);
        try (FrontendGuest guest = connect(threaded.device())) {
            answer(guest.submit(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_OK);
            answer(guest.submit(MSG_SET_DIRECTION, 1, DIRECTION_OUT), STATUS_OK);
            answer(guest.submit(MSG_SET_DIRECTION, 2, DIRECTION_IN), STATUS_OK);
            answer(guest.submit(MSG_SET_IRQ_TYPE, 2, IRQ_TYPE_EDGE_BOTH), STATUS_OK);
            wedgeBothWorkers(guest);

            for (int i = 0; i < 100; i++) {
                Guest.Irq irq = guest.unmask(2);
                fast.drive(0, i % 2 == 0);
                assertEquals(IRQ_STATUS_VALID, irq.await(), "edge " + i + " delivered");
            }
            assertEquals(2, guest.outstandingRequests(), "the two wedged requests are still unanswered");
            slow.open();
            Await.until("the wedged requests answered", () -> guest.outstandingRequests() == 0);
        }
    }

    @Test
    void aControllerThatFailsToSayWhetherItBlocksIsServedByTheWorkers() throws Exception {
        fast.declareNonBlocking(true);
        fast.failNonBlocking();
        threaded = new ThreadedDevice("failing", 2, Duration.ofMillis(400), fast);
        try (FrontendGuest guest = connect(threaded.device())) {
            answer(guest.submit(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_OK);
            answer(guest.submit(MSG_SET_VALUE, 0, 1), STATUS_OK);
            assertEquals(1, answer(guest.submit(MSG_GET_VALUE, 0, 0), STATUS_OK));
            Set<String> threads = fast.callThreadsSince(0);
            assertFalse(threads.contains(ENDPOINT_THREAD + socket()), "no call on the endpoint thread: " + threads);
        }
    }

    @Test
    void afterASwapToAControllerThatMayBlockNoCallRunsOnTheEndpointThread() throws Exception {
        fast.declareNonBlocking(true);
        threaded = new ThreadedDevice("swap", 2, Duration.ofMillis(400), fast);
        try (FrontendGuest guest = connect(threaded.device())) {
            answer(guest.submit(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_OK);
            answer(guest.submit(MSG_SET_VALUE, 0, 1), STATUS_OK);

            threaded.device().setController(slow);
            slow.stall(0);
            long start = System.nanoTime();
            // The endpoint thread must stay free: the wedged SET_VALUE is answered ERR by the
            // watchdog in time, and line 1 is served meanwhile by the other worker.
            Guest.Pending wedged = guest.submit(MSG_SET_VALUE, 0, 0);
            answer(guest.submit(MSG_SET_DIRECTION, 1, DIRECTION_OUT), STATUS_OK);
            answer(wedged, STATUS_ERR);
            assertTrue(System.nanoTime() - start < WedgedControllerTest.TIMEOUT.plus(WedgedControllerTest.MARGIN)
                    .toNanos(), "answered in time");
            Set<String> threads = slow.callThreadsSince(0);
            assertFalse(threads.contains(ENDPOINT_THREAD + socket()),
                    "no call on the controller that may block ran on the endpoint thread: " + threads);
            assertTrue(threads.contains("swap-worker-0") || threads.contains("swap-worker-1"), "workers made them");
        }
    }
}
