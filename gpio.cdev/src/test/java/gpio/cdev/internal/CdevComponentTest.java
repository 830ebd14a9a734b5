// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import gpio.api.GpioController;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.FakeKernel;

/** The component's service registration, with a recording bundle context. */
class CdevComponentTest {

    private final FakeKernel kernel = new FakeKernel();
    private final AtomicReference<Dictionary<?, ?>> registered = new AtomicReference<>();
    private final AtomicReference<Object> service = new AtomicReference<>();
    private final AtomicInteger unregistered = new AtomicInteger();

    CdevComponentTest() {
        kernel.addChip("/dev/gpiochip0", "gpio-sim.0-node0", 4);
    }

    private BundleContext context() {
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("unregister")) {
                        if (unregistered.getAndIncrement() > 0) {
                            throw new IllegalStateException("already unregistered");
                        }
                    }
                    return null;
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args[0] == GpioController.class) {
                        service.set(args[1]);
                        registered.set((Dictionary<?, ?>) args[2]);
                        return registration;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private CdevComponent activate(String label) throws Exception {
        return new CdevComponent(kernel, context(),
                new CdevController.Options("gpio-sim.0-node0", new int[0], "vgpio", label, LineDefaults.NONE),
                Map.of("gpio.backend", "cdev", "gpio.label", label, "chip", "gpio-sim.0-node0", "component.id", 4L,
                        ".secret", "x"));
    }

    @Test
    void publishesTheControllerUnderTheChipsLabelUntilDeactivated() throws Exception {
        CdevComponent component = activate("");
        Dictionary<?, ?> properties = registered.get();
        assertEquals("gpio-sim.0-node0", properties.get(GpioController.LABEL_PROPERTY));
        assertEquals("cdev", properties.get(GpioController.BACKEND_PROPERTY));
        assertEquals("gpio-sim.0-node0", properties.get("chip"));
        assertEquals(null, properties.get("component.id"));
        assertEquals(null, properties.get(".secret"));
        ((GpioController) service.get()).request(1, LineSettings.output(true), "");
        component.deactivate();
        assertEquals(1, unregistered.get());
        assertEquals(0, kernel.openFds(), "deactivation releases the lines and closes the chip");
    }

    @Test
    void aConfiguredLabelWins() throws Exception {
        CdevComponent component = activate("board");
        assertEquals("board", registered.get().get(GpioController.LABEL_PROPERTY));
        component.deactivate();
    }

    @Test
    void theServiceGoesAwayWithTheChipAndDeactivationIsStillClean() throws Exception {
        CdevComponent component = activate("");
        kernel.unplug("/dev/gpiochip0");
        Await.until(() -> unregistered.get() == 1, Duration.ofSeconds(5), () -> "service still registered");
        component.deactivate();
        assertEquals(1, unregistered.get(), "unregistered once");
        assertEquals(0, kernel.openFds());
    }
}
