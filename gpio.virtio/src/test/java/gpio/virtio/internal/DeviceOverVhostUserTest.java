// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/** What the device component does around a connection: disconnects, several devices, moves, no controller. */
class DeviceOverVhostUserTest {

    @TempDir
    Path dir;
    private final Object chip = SimChips.create("sim0", "a", "b", "c", "d");
    private final VhostUserTransportComponent transport = new VhostUserTransportComponent();

    @AfterEach
    void close() {
        transport.close();
        SimChips.close(chip);
    }

    private GpioController controller() {
        return (GpioController) chip;
    }

    private VirtioGpioComponent device(String socket, String lines) throws Exception {
        return VirtioGpioComponentTest.activated(transport,
                VirtioGpioComponentTest.config(dir.resolve(socket).toString(), "rw-------", "(gpio.label=sim0)",
                        lines), null);
    }


    private static boolean used(GpioController controller, int offset) {
        try {
            return controller.lineInfo(offset).used();
        } catch (GpioException e) {
            throw new AssertionError(e);
        }
    }

    private static int[] ok(Guest guest, int type, int gpio, int value) throws Exception {
        int[] r = guest.call(type, gpio, value);
        assertEquals(0, r[0], "status OK");
        return r;
    }

    @Test
    void disconnectReleasesEveryLineAndTheNextDriverStartsAfresh() throws Exception {
        VirtioGpioComponent component = device("gpio.sock", "");
        component.bindController(controller());
        try (FrontendGuest first = new FrontendGuest(dir.resolve("gpio.sock"), 64)) {
            ok(first, MSG_SET_VALUE, 0, 1);
            ok(first, MSG_SET_DIRECTION, 0, DIRECTION_OUT);
            ok(first, MSG_SET_DIRECTION, 1, DIRECTION_IN);
            ok(first, MSG_SET_IRQ_TYPE, 1, IRQ_TYPE_EDGE_BOTH);
            first.unmask(1);
            assertTrue(used(controller(), 0) && used(controller(), 1));
        }
        Await.until("lines released after the disconnect", () -> !used(controller(), 0) && !used(controller(), 1));
        try (FrontendGuest second = new FrontendGuest(dir.resolve("gpio.sock"), 64)) {
            ok(second, MSG_SET_DIRECTION, 0, DIRECTION_OUT);
            assertFalse(((GpioSimulator) chip).level(0), "the first driver's output value is forgotten");
            ok(second, MSG_SET_DIRECTION, 1, DIRECTION_IN);
            ((GpioSimulator) chip).setInput(1, true);
            assertEquals(1, ok(second, MSG_GET_VALUE, 1, 0)[1]);
        }
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }

    @Test
    void severalDevicesServeTheirOwnLinesIndependently() throws Exception {
        VirtioGpioComponent low = device("low.sock", "0-1");
        VirtioGpioComponent high = device("high.sock", "2-3");
        low.bindController(controller());
        high.bindController(controller());
        try (FrontendGuest a = new FrontendGuest(dir.resolve("low.sock"), 64);
                FrontendGuest b = new FrontendGuest(dir.resolve("high.sock"), 64)) {
            assertArrayEquals(new byte[] {2, 0, 0, 0, 4, 0, 0, 0}, a.config());
            assertArrayEquals(new byte[] {0, 'a', 0, 'b', 0}, a.lineNames(4));
            assertArrayEquals(new byte[] {0, 'c', 0, 'd', 0}, b.lineNames(4));
            ok(a, MSG_SET_VALUE, 0, 1);
            ok(a, MSG_SET_DIRECTION, 0, DIRECTION_OUT);
            ok(b, MSG_SET_DIRECTION, 0, DIRECTION_OUT);
            assertTrue(((GpioSimulator) chip).level(0));
            assertFalse(((GpioSimulator) chip).level(2));
            high.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
            assertEquals(1, ok(a, MSG_GET_VALUE, 0, 0)[1], "the other device still serves");
            Await.until("the closed device's line is released", () -> !used(controller(), 2));
        }
        low.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }

    @Test
    void changingTheSocketPathKeepsTheConnectedGuest() throws Exception {
        VirtioGpioComponent component = device("old.sock", "");
        component.bindController(controller());
        try (FrontendGuest guest = new FrontendGuest(dir.resolve("old.sock"), 64)) {
            ok(guest, MSG_SET_DIRECTION, 2, DIRECTION_IN);
            component.modified(VirtioGpioComponentTest.config(dir.resolve("new.sock").toString(), "rw-------",
                    "(gpio.label=sim0)", ""));
            assertTrue(Files.exists(dir.resolve("new.sock")));
            assertFalse(Files.exists(dir.resolve("old.sock")));
            assertEquals(DIRECTION_IN, ok(guest, MSG_GET_DIRECTION, 2, 0)[1]);
        }
        try (FrontendGuest next = new FrontendGuest(dir.resolve("new.sock"), 64)) {
            assertEquals(DIRECTION_IN, ok(next, MSG_GET_DIRECTION, 2, 0)[1]);
        }
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }

    @Test
    void withoutControllerTheGuestGetsErrorsNotAHang() throws Exception {
        VirtioGpioComponent component = device("gpio.sock", "0-3");
        try (FrontendGuest guest = new FrontendGuest(dir.resolve("gpio.sock"), 64)) {
            assertEquals(1, guest.call(MSG_GET_DIRECTION, 0, 0)[0], "ERR");
            assertEquals(2, guest.call(MSG_GET_DIRECTION, 0, 0)[2], "used length");
            component.bindController(controller());
            assertEquals(DIRECTION_IN, ok(guest, MSG_GET_DIRECTION, 0, 0)[1]);
            component.unbindController(controller());
            assertEquals(1, guest.call(MSG_SET_DIRECTION, 0, DIRECTION_IN)[0], "ERR again");
        }
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }
}
