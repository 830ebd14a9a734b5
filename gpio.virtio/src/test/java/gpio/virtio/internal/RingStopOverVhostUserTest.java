// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_ERR;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * The VM stops and runs again (QEMU's {@code stop}/{@code cont}: GET_VRING_BASE
 * on both rings, then the same rings started again from the returned indexes)
 * while the guest holds an output, waits for an interrupt and has a request
 * stalled in the controller. The Linux driver knows nothing of the stop, so
 * nothing may change for it: the stalled request is answered before the index is
 * returned, the output stays driven, the interrupt stays armed, and an edge made
 * while the VM was stopped is delivered after it runs again.
 */
class RingStopOverVhostUserTest {

    @TempDir
    Path dir;
    private final TestController controller = new TestController("t", "relay", "button", "slow", "spare");
    private final ThreadedDevice threaded = new ThreadedDevice("ring-stop", 2, WedgedControllerTest.TIMEOUT,
            controller);
    private final VhostUserTransportComponent transport = new VhostUserTransportComponent();
    private FrontendGuest guest;

    @BeforeEach
    void connect() throws Exception {
        Path socket = dir.resolve("gpio.sock");
        transport.open(socket, PosixFilePermissions.fromString("rw-------"), threaded.device());
        guest = new FrontendGuest(socket, 64);
    }

    @AfterEach
    void close() {
        controller.open();
        guest.close();
        transport.close();
        threaded.close();
    }

    private int[] ok(int type, int line, int value) throws Exception {
        int[] answer = guest.call(type, line, value);
        assertEquals(STATUS_OK, answer[0], "status of message " + type + " on line " + line);
        return answer;
    }

    @Test
    void aStopIsNotAResetAndARequestStalledAtTheStopIsAnsweredBeforeIt() throws Exception {
        ok(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        ok(MSG_SET_VALUE, 0, 1);
        ok(MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH);
        Guest.Irq armed = guest.unmask(1);
        controller.stall(2);
        Guest.Pending stalled = guest.submit(MSG_GET_VALUE, 2, 0);
        Await.until("the request is in the controller",
                () -> controller.calls().stream().anyMatch(call -> call.matches("(lineInfo|request) 2\\b.*")));

        int[] bases = guest.pause();

        assertEquals(4, bases[0], "every request taken is counted");
        assertEquals(1, bases[1], "the held eventq buffer is counted");
        assertEquals(STATUS_ERR, stalled.await()[0], "answered (ERR after the timeout) before the ring stopped");
        assertTrue(controller.isHeld(0) && controller.level(0), "the output stays driven while the VM is stopped");
        controller.drive(1, true);
        assertFalse(armed.returned(), "nothing reaches a stopped ring");

        guest.resume(bases);

        assertEquals(IRQ_STATUS_VALID, armed.await(), "the edge made while stopped, after the resume");
        assertArrayEquals(new int[] {STATUS_OK, 1, 2}, guest.call(MSG_GET_VALUE, 0, 0));
        assertEquals(DIRECTION_OUT, ok(MSG_GET_DIRECTION, 0, 0)[1]);
        Guest.Irq next = guest.unmask(1);
        controller.drive(1, false);
        assertEquals(IRQ_STATUS_VALID, next.await(), "interrupts keep coming after the resume");
        controller.open();
        assertEquals(0, guest.outstandingRequests(), "nothing unanswered, nothing answered twice");
    }

    @Test
    void aDriverThatStartsOverOnNewRingsFindsEveryLineReleased() throws Exception {
        ok(MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        ok(MSG_SET_VALUE, 0, 1);
        guest.pause();
        assertTrue(controller.isHeld(0), "held across the stop");

        guest.startOver();

        Await.until("the line released for the new driver", () -> !controller.isHeld(0));
        assertEquals(STATUS_OK, ok(MSG_GET_DIRECTION, 0, 0)[0]);
    }
}
