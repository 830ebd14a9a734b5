// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.FakeKernel;
import gpio.form.internal.RecordingRefusals;

/** The component's service registration, with a recording bundle context. */
class CdevComponentTest {

    private final FakeKernel kernel = new FakeKernel();
    private final RecordingBundleContext framework = new RecordingBundleContext();
    private final RecordingRefusals refusals = new RecordingRefusals();

    CdevComponentTest() {
        kernel.addChip("/dev/gpiochip0", "gpio-sim.0-node0", 4);
    }

    private CdevComponent activate(String label) throws Exception {
        return activate("gpio-sim.0-node0", label);
    }

    private CdevComponent activate(String chip, String label) throws Exception {
        return new CdevComponent(kernel, framework.context(),
                () -> new CdevController.Options(chip, new int[0], "vgpio", label, LineDefaults.NONE),
                Map.of("gpio.backend", "cdev", "gpio.label", label, "chip", chip, "component.id", 4L,
                        ".secret", "x", "service.pid", "gpio.cdev~board"), refusals);
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
        assertEquals(List.of("accepted gpio.cdev~board", "stopped gpio.cdev~board"), refusals.reports);
    }

    @Test
    void aChipThatIsNotThereIsReportedAsRefusedWithNothingRunning() throws Exception {
        GpioException refused = assertThrows(GpioException.class, () -> activate("gpiochip7", ""));
        assertEquals(List.of("refused gpio.cdev~board (none running): " + refused.getMessage()), refusals.reports);
        assertEquals(null, framework.properties.get(), "nothing registered");
        assertEquals(0, kernel.openFds());
    }

    @Test
    void anInvalidValueIsReportedAsRefusedWithNothingRunning() {
        assertThrows(IllegalArgumentException.class, () -> new CdevComponent(kernel, framework.context(),
                () -> { throw new IllegalArgumentException("offsets \"x\" is not a whole number"); },
                Map.of("service.pid", "gpio.cdev~board"), refusals));
        assertEquals(List.of("refused gpio.cdev~board (none running): offsets \"x\" is not a whole number"),
                refusals.reports);
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
