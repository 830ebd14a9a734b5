// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * Wedged controller calls seen by a guest through the real transport: with
 * both workers stuck, every message is answered in time, exactly once, and a
 * release sent behind a stuck call frees the host line when the call returns.
 */
class WedgedControllerOverVhostUserTest {

    @TempDir
    Path dir;
    private final TestController controller = new TestController("t", "l0", "l1", "l2", "l3");
    private final ThreadedDevice threaded = new ThreadedDevice("socket", 2, WedgedControllerTest.TIMEOUT,
            controller);
    private final VhostUserTransportComponent transport = new VhostUserTransportComponent();

    @AfterEach
    void stop() {
        controller.open();
        transport.close();
        threaded.close();
    }

    private static int[] answer(Guest.Pending pending, int status) throws Exception {
        int[] r = pending.await();
        assertEquals(status, r[0], "status");
        assertEquals(2, r[2], "used length");
        return r;
    }

    @Test
    void withEveryWorkerWedgedTheGuestIsAnsweredInTimeAndItsReleaseIsCarriedOut() throws Exception {
        Path socket = dir.resolve("gpio.sock");
        transport.open(socket, PosixFilePermissions.fromString("rw-------"), threaded.device());
        try (FrontendGuest guest = new FrontendGuest(socket, 64)) {
            answer(guest.submit(MSG_SET_DIRECTION, 0, DIRECTION_OUT), STATUS_OK);
            answer(guest.submit(MSG_SET_DIRECTION, 1, DIRECTION_OUT), STATUS_OK);
            controller.stall(0, 1);
            Guest.Pending wedged0 = guest.submit(MSG_SET_VALUE, 0, 1);
            Guest.Pending wedged1 = guest.submit(MSG_SET_VALUE, 1, 1);
            Await.until("both workers in a controller call",
                    () -> controller.calls().contains("setValue=1 0") && controller.calls().contains("setValue=1 1"));

            long start = System.nanoTime();
            // What the Linux driver sends when gpioset exits: the release, behind the stuck call.
            Guest.Pending release = guest.submit(MSG_SET_DIRECTION, 0, DIRECTION_NONE);
            List<Guest.Pending> otherLines = List.of(guest.submit(MSG_GET_DIRECTION, 2, 0),
                    guest.submit(MSG_SET_DIRECTION, 3, DIRECTION_IN), guest.submit(MSG_GET_DIRECTION, 3, 0));
            for (Guest.Pending pending : otherLines) {
                answer(pending, STATUS_ERR);
            }
            answer(release, STATUS_ERR);
            answer(wedged0, STATUS_ERR);
            answer(wedged1, STATUS_ERR);
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed < WedgedControllerTest.TIMEOUT.plus(WedgedControllerTest.MARGIN).toNanos(),
                    "answered after " + elapsed / 1_000_000 + " ms");
            assertTrue(controller.isHeld(0), "still in the wedged call");

            controller.open();
            Await.until("line 0 released at the controller", () -> !controller.isHeld(0));
            assertEquals(DIRECTION_IN, answer(guest.submit(MSG_GET_DIRECTION, 2, 0), STATUS_OK)[1]);
            answer(guest.submit(MSG_SET_DIRECTION, 3, DIRECTION_IN), STATUS_OK);
            assertEquals(0, guest.outstandingRequests(), "nothing unanswered (and nothing answered twice)");
        }
    }
}
