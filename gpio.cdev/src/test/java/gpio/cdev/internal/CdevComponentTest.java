// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.FakeKernel;

/** The component's service registration, with a recording bundle context. */
class CdevComponentTest {

    private final FakeKernel kernel = new FakeKernel();
    private final RecordingBundleContext framework = new RecordingBundleContext();

    CdevComponentTest() {
        kernel.addChip("/dev/gpiochip0", "gpio-sim.0-node0", 4);
    }

    private CdevComponent activate(String label) throws Exception {
        return new CdevComponent(kernel, framework.context(),
                new CdevController.Options("gpio-sim.0-node0", new int[0], "vgpio", label, LineDefaults.NONE),
                Map.of("gpio.backend", "cdev", "gpio.label", label, "chip", "gpio-sim.0-node0", "component.id", 4L,
                        ".secret", "x"));
    }

    @Test
    void publishesTheControllerUnderTheChipsLabelUntilDeactivated() throws Exception {
        CdevComponent component = activate("");
        Dictionary<?, ?> properties = framework.properties.get();
        assertEquals("gpio-sim.0-node0", properties.get(GpioController.LABEL_PROPERTY));
        assertEquals("cdev", properties.get(GpioController.BACKEND_PROPERTY));
        assertEquals("gpio-sim.0-node0", properties.get("chip"));
        assertEquals(null, properties.get("component.id"));
        assertEquals(null, properties.get(".secret"));
        framework.service.get().request(1, LineSettings.output(true), "");
        component.deactivate();
        assertEquals(1, framework.unregistrations.get());
        assertEquals(0, kernel.openFds(), "deactivation releases the lines and closes the chip");
    }

    @Test
    void aConfiguredLabelWins() throws Exception {
        CdevComponent component = activate("board");
        assertEquals("board", framework.properties.get().get(GpioController.LABEL_PROPERTY));
        component.deactivate();
    }

    @Test
    void theServiceGoesAwayWithTheChipAndDeactivationIsStillClean() throws Exception {
        CdevComponent component = activate("");
        kernel.unplug("/dev/gpiochip0");
        Await.until(() -> framework.unregistrations.get() == 1, Duration.ofSeconds(5), () -> "service still registered");
        component.deactivate();
        assertEquals(1, framework.unregistrations.get(), "unregistered once");
        assertEquals(0, kernel.openFds());
    }
}
