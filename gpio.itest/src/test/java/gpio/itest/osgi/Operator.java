// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.itest.Await;
import gpio.sim.GpioSimulator;

/**
 * What an operator does to the running gateway, through ConfigurationAdmin as
 * the web console does: factory configurations of simulators ({@code gpio.sim})
 * and devices ({@code gpio.virtio}), unbound ({@code "?"}) so the components of
 * any bundle take them. Also reaches into a simulator through its own API, as
 * the bench (buttons, a probe on a pin) would.
 */
final class Operator {

    static final String SIM_FACTORY_PID = "gpio.sim";
    static final String DEVICE_FACTORY_PID = "gpio.virtio";
    private static final String ANY_LOCATION = "?";

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;

    Operator(BundleContext context, ConfigurationAdmin configAdmin) {
        this.context = context;
        this.configAdmin = configAdmin;
    }

    /** A new simulator configuration: chip {@code label} with one line per name. */
    Configuration createSimulator(String label, String... lineNames) throws IOException {
        Configuration configuration = configAdmin.createFactoryConfiguration(SIM_FACTORY_PID, ANY_LOCATION);
        configuration.update(simulatorProperties(label, lineNames));
        return configuration;
    }

    static Dictionary<String, Object> simulatorProperties(String label, String... lineNames) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("label", label);
        properties.put("line.count", lineNames.length);
        properties.put("line.names", lineNames);
        return properties;
    }

    /** A new device configuration serving the controller {@code target} selects on {@code socket}. */
    Configuration createDevice(Path socket, String target) throws IOException {
        Configuration configuration = configAdmin.createFactoryConfiguration(DEVICE_FACTORY_PID, ANY_LOCATION);
        configuration.update(deviceProperties(socket, target));
        return configuration;
    }

    static Dictionary<String, Object> deviceProperties(Path socket, String target) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("socket.path", socket.toString());
        properties.put("controller.target", target);
        return properties;
    }

    /** Deletes {@code configuration} unless a step of the test deleted it already. */
    static void delete(Configuration configuration) throws IOException {
        try {
            configuration.delete();
        } catch (IllegalStateException alreadyDeleted) {
            // Deleted by the test itself.
        }
    }

    /** Waits for the simulator labelled {@code label} and returns it (the framework keeps it referenced). */
    GpioSimulator simulator(String label) throws InvalidSyntaxException, InterruptedException {
        ServiceReference<GpioSimulator> ref = Await.service(context, GpioSimulator.class,
                "(gpio.label=" + label + ")");
        return context.getService(ref);
    }

    /** Waits for the controller labelled {@code label} and returns it (the framework keeps it referenced). */
    GpioController controller(String label) throws InvalidSyntaxException, InterruptedException {
        ServiceReference<GpioController> ref = Await.service(context, GpioController.class,
                "(gpio.label=" + label + ")");
        return context.getService(ref);
    }

    /** Whether line {@code offset} of {@code chip} is requested by a consumer, as {@code gpioinfo} shows. */
    static boolean used(GpioController chip, int offset) {
        try {
            return chip.lineInfo(offset).used();
        } catch (GpioException e) {
            throw new AssertionError("reading line " + offset + " of " + chip.label() + " failed", e);
        }
    }

    /** Whether a simulator labelled {@code label} is registered now. */
    boolean simulatorPresent(String label) {
        try {
            return !context.getServiceReferences(GpioSimulator.class, "(gpio.label=" + label + ")").isEmpty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a label: " + label, e);
        }
    }

    /** Waits until a device listens on {@code socket}. */
    static void awaitSocket(Path socket) throws InterruptedException {
        Await.condition(() -> Files.exists(socket), "a device listens on " + socket);
    }

    /** Waits until no socket file is left at {@code socket}. */
    static void awaitNoSocket(Path socket) throws InterruptedException {
        Await.condition(() -> !Files.exists(socket), "the socket file " + socket + " is removed");
    }
}
