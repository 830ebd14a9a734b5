// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import gpio.api.GpioController;

/**
 * A bundle context that records the one {@link GpioController} registration a
 * {@link CdevComponent} makes and its unregistration; unregistering twice fails
 * as in a framework.
 */
final class RecordingBundleContext {

    final AtomicReference<Dictionary<?, ?>> properties = new AtomicReference<>();
    final AtomicReference<GpioController> service = new AtomicReference<>();
    final AtomicInteger unregistrations = new AtomicInteger();

    /** @return the context to pass to the component */
    BundleContext context() {
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("unregister") && unregistrations.getAndIncrement() > 0) {
                        throw new IllegalStateException("already unregistered");
                    }
                    return null;
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args[0] == GpioController.class) {
                        service.set((GpioController) args[1]);
                        properties.set((Dictionary<?, ?>) args[2]);
                        return registration;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
