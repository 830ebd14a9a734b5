// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * The driver sequences through the real transport: the component serves the
 * simulator on a Unix socket and the test frontend drives it with rings in
 * shared memory.
 */
class DriverSequencesOverVhostUserTest extends DriverSequences {

    @TempDir
    Path dir;
    private final Object chip = SimChips.create("sim0", NAMES);
    private final Object spare = SimChips.create("sim1", NAMES);
    private final VhostUserTransportComponent transport = new VhostUserTransportComponent();
    private VirtioGpioComponent component;
    private FrontendGuest guest;

    @BeforeEach
    void connect() throws Exception {
        Path socket = dir.resolve("gpio.sock");
        component = VirtioGpioComponentTest.activated(transport, VirtioGpioComponentTest.config(socket.toString(),
                "rw-------", "(gpio.label=sim0)", ""), (GpioController) chip);
        guest = new FrontendGuest(socket, 256);
        long deadline = System.nanoTime() + Guest.WAIT.toNanos();
        while (component.endpoint().negotiatedFeatures() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("features not negotiated");
            }
            Thread.onSpinWait();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @AfterEach
    void disconnect() {
        guest.close();
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
        transport.close();
        SimChips.close(chip);
        SimChips.close(spare);
    }

    @Override
    Guest guest() {
        return guest;
    }

    @Override
    GpioSimulator sim() {
        return (GpioSimulator) chip;
    }

    @Override
    GpioController controller() {
        return (GpioController) chip;
    }

    @Override
    GpioController swapToSpare() {
        // What SCR does for a greedy reference: bind the new one, then unbind the old one.
        component.bindController((GpioController) spare);
        component.unbindController((GpioController) chip);
        SimChips.close(chip);
        return (GpioController) spare;
    }

    @Override
    GpioSimulator slowDown(Duration latency) {
        sim().setLatency(latency);
        return (GpioSimulator) spare;
    }
}
