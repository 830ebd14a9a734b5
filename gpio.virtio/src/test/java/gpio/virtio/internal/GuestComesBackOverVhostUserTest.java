// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_STATUS_VALID;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static gpio.virtio.internal.VirtioGpio.STATUS_OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * The gateway restarts (or drops the connection) under a guest whose QEMU
 * reconnects on the same rings, as QEMU 7.2 does with {@code reconnect=1}: what
 * the guest set on its lines comes back before its next message, and interrupts
 * keep working on the eventq buffer it had queued. A guest that rebooted
 * meanwhile (new rings) starts clean.
 */
class GuestComesBackOverVhostUserTest {

    @TempDir
    Path dir;
    private Object chip = SimChips.create("sim0", "relay", "button", "c", "d");
    private VhostUserTransportComponent transport = new VhostUserTransportComponent();
    private VirtioGpioComponent component;

    @AfterEach
    void close() {
        if (component != null) {
            component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
        }
        transport.close();
        SimChips.close(chip);
    }

    private Path socket() {
        return dir.resolve("gpio.sock");
    }

    private Path savedGuest() {
        return dir.resolve("data").resolve("guests").resolve("gpio.virtio~one.properties");
    }

    private VirtioGpioComponent start() throws Exception {
        return VirtioGpioComponentTest.activated(transport, VirtioGpioComponentTest.config(socket().toString(),
                "rw-------", "(gpio.label=sim0)", ""), (GpioController) chip, savedGuest());
    }

    private GpioSimulator simulator() {
        return (GpioSimulator) chip;
    }

    private boolean used(int offset) {
        try {
            return ((GpioController) chip).lineInfo(offset).used();
        } catch (GpioException e) {
            throw new AssertionError(e);
        }
    }

    private static int ok(Guest guest, int type, int gpio, int value) throws Exception {
        int[] answer = guest.call(type, gpio, value);
        assertEquals(STATUS_OK, answer[0], "status of message " + type + " on line " + gpio);
        return answer[1];
    }

    /** The guest drives the relay high and waits for the button's edges. */
    private static Guest.Irq setUpRelayAndButton(FrontendGuest guest) throws Exception {
        ok(guest, MSG_SET_VALUE, 0, 1);
        ok(guest, MSG_SET_DIRECTION, 0, DIRECTION_OUT);
        ok(guest, MSG_SET_DIRECTION, 1, DIRECTION_IN);
        ok(guest, MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH);
        return guest.unmask(1);
    }

    /** The gateway stops as on shutdown, and a new one starts with a new simulator and transport. */
    private void restartGateway() throws Exception {
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED);
        component = null;
        transport.close();
        SimChips.close(chip);
        chip = SimChips.create("sim0", "relay", "button", "c", "d");
        transport = new VhostUserTransportComponent();
        component = start();
    }

    @Test
    void afterAGatewayRestartTheGuestGetsItsLinesAndItsInterruptBack() throws Exception {
        component = start();
        FrontendGuest guest = new FrontendGuest(socket(), 64);
        try {
            Guest.Irq button = setUpRelayAndButton(guest);
            assertTrue(simulator().level(0));

            restartGateway();
            assertFalse(used(0), "the new simulator starts with the relay free");
            assertFalse(Files.exists(savedGuest()), "the saved state is taken up by the new device");

            guest.reconnect(socket());
            Await.until("the relay is driven high again, before the guest sends anything", () -> simulator()
                    .level(0) && used(0));
            Await.until("the button is watched again", () -> used(1));
            simulator().setInput(1, true);
            assertEquals(IRQ_STATUS_VALID, button.await(), "the edge, on the buffer queued before the restart");
            assertEquals(DIRECTION_OUT, ok(guest, MSG_GET_DIRECTION, 0, 0));
            assertEquals(1, ok(guest, MSG_GET_VALUE, 1, 0));
            ok(guest, MSG_SET_VALUE, 0, 0);
            assertFalse(simulator().level(0));
        } finally {
            guest.close();
        }
    }

    /**
     * The output is requested once, with the guest's value: a backend that sets
     * the value in the request (cdev: the request's output values) drives it
     * from the first moment, with no glitch through another level.
     */
    @Test
    void theRestoredOutputIsRequestedWithItsValueInOneCall() throws Exception {
        component = start();
        FrontendGuest guest = new FrontendGuest(socket(), 64);
        try {
            setUpRelayAndButton(guest);
            component.deactivate(ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED);
            TestController next = new TestController("sim0", "relay", "button", "c", "d");
            component = VirtioGpioComponentTest.activated(transport, VirtioGpioComponentTest.config(
                    socket().toString(), "rw-------", "(gpio.label=sim0)", ""), next, savedGuest());
            guest.reconnect(socket());
            Await.until("the relay is held and the button watched", () -> next.isHeld(0) && next.isWatched(1));
            assertEquals(List.of("request 0 out=1"), next.calls().stream()
                    .filter(call -> call.matches("\\w+ 0\\b.*") && !call.startsWith("lineInfo")).toList(),
                    "what was done to the relay's line (reading its name aside)");
        } finally {
            guest.close();
        }
    }

    @Test
    void aGuestThatRebootedWhileTheGatewayWasDownStartsClean() throws Exception {
        component = start();
        try (FrontendGuest guest = new FrontendGuest(socket(), 64)) {
            setUpRelayAndButton(guest);
        }
        // The disconnect ended the connection already: the relay was kept, then released.
        Await.until("the relay is released with the connection", () -> !used(0));
        restartGateway();
        try (FrontendGuest rebooted = new FrontendGuest(socket(), 64)) {
            assertEquals(DIRECTION_IN, ok(rebooted, MSG_GET_DIRECTION, 0, 0), "line 0 as the host has it");
            assertFalse(used(0) || used(1), "nothing was restored for the new driver");
        }
    }

    @Test
    void aConnectionDroppedAndTakenUpAgainOnTheSameRingsKeepsTheLines() throws Exception {
        component = start();
        FrontendGuest guest = new FrontendGuest(socket(), 64);
        try {
            Guest.Irq button = setUpRelayAndButton(guest);
            guest.frontend().dropConnection();
            Await.until("the gateway sees the disconnect", () -> !component.endpoint().connected());
            guest.reconnect(socket());
            Await.until("the relay is driven high again", () -> simulator().level(0) && used(0));
            Await.until("the button is watched again", () -> used(1));
            simulator().setInput(1, true);
            assertEquals(IRQ_STATUS_VALID, button.await());
        } finally {
            guest.close();
        }
    }

    @Test
    void aDeletedConfigurationKeepsNothing() throws Exception {
        component = start();
        try (FrontendGuest guest = new FrontendGuest(socket(), 64)) {
            setUpRelayAndButton(guest);
            component.deactivate(ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED);
            component = null;
        }
        assertFalse(Files.exists(savedGuest()));
    }
}
