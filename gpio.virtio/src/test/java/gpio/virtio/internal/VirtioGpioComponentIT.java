// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.VhostUserTransport;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * The built bundle in a real Felix framework with SCR and ConfigAdmin, as an
 * operator uses it: a factory configuration starts a device on its socket, a
 * change of {@code controller.target} swaps the controller under a connected
 * guest through the greedy dynamic reference (same component instance, same
 * connection), the controller going away and coming back rebinds, and an
 * invalid configuration is refused with a log line. The transport and the
 * simulated chips are registered by the test from its class path, whose API
 * packages the system bundle exports.
 */
class VirtioGpioComponentIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static final Logger DEVICE_LOGGER = Logger.getLogger("gpio.virtio");
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Object[] parameters = record.getParameters();
            String message = record.getMessage();
            if (parameters != null) {
                message = java.text.MessageFormat.format(message, parameters);
            }
            LOG.add(message);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static Framework framework;
    private static BundleContext context;
    private static ConfigurationAdmin configurationAdmin;
    private static VhostUserTransportComponent transport;
    private static Path dir;

    @BeforeAll
    static void startFramework() throws Exception {
        DEVICE_LOGGER.addHandler(CAPTURE);
        dir = Files.createTempDirectory("virtio-it");
        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, System.getProperty("framework.storage"),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "gpio.api;version=1.1.0,gpio.vhostuser;version=1.4.0,org.osgi.service.cm;version=1.6.1"));
        framework.start();
        context = framework.getBundleContext();
        transport = new VhostUserTransportComponent();
        context.registerService(VhostUserTransport.class, transport, null);
        File[] jars = new File(System.getProperty("framework.bundles")).listFiles();
        assertNotNull(jars);
        Arrays.sort(jars);
        List<Bundle> bundles = new java.util.ArrayList<>();
        for (File jar : jars) {
            bundles.add(context.installBundle(jar.toURI().toString()));
        }
        bundles.add(context.installBundle(new File(System.getProperty("bundle.under.test")).toURI().toString()));
        for (Bundle bundle : bundles) {
            bundle.start();
        }
        await("ConfigurationAdmin", () -> context.getServiceReference(ConfigurationAdmin.class) != null);
        ServiceReference<ConfigurationAdmin> admin = context.getServiceReference(ConfigurationAdmin.class);
        configurationAdmin = context.getService(admin);
    }

    @AfterAll
    static void stopFramework() throws Exception {
        framework.stop();
        framework.waitForStop(TIMEOUT.toMillis());
        transport.close();
        DEVICE_LOGGER.removeHandler(CAPTURE);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    private static ServiceRegistration<GpioController> register(Object chip, String label) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(GpioController.LABEL_PROPERTY, label);
        properties.put(GpioController.BACKEND_PROPERTY, "sim");
        return context.registerService(GpioController.class, (GpioController) chip, properties);
    }

    private static Dictionary<String, Object> config(Object... keyValues) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            d.put((String) keyValues[i], keyValues[i + 1]);
        }
        return d;
    }

    private static boolean used(Object chip, int offset) {
        try {
            return ((GpioController) chip).lineInfo(offset).used();
        } catch (GpioException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void retargetingSwapsTheControllerUnderAConnectedGuest() throws Exception {
        Object sim0 = SimChips.create("sim0", "a", "b");
        Object sim1 = SimChips.create("sim1", "a", "b");
        ServiceRegistration<GpioController> r0 = register(sim0, "sim0");
        ServiceRegistration<GpioController> r1 = register(sim1, "sim1");
        Path socket = dir.resolve("it.sock");
        Configuration configuration = configurationAdmin.createFactoryConfiguration("gpio.virtio", "?");
        configuration.update(config("socket.path", socket.toString(), "controller.target", "(gpio.label=sim0)"));
        await("the socket", () -> Files.exists(socket));
        try (FrontendGuest guest = new FrontendGuest(socket, 64)) {
            assertEquals(0, guest.call(MSG_SET_VALUE, 1, 1)[0]);
            assertEquals(0, guest.call(MSG_SET_DIRECTION, 1, DIRECTION_OUT)[0]);
            assertEquals(true, ((GpioSimulator) sim0).level(1));

            configuration.update(config("socket.path", socket.toString(), "controller.target", "(gpio.label=sim1)"));
            await("the line moved to sim1", () -> used(sim1, 1) && ((GpioSimulator) sim1).level(1));
            await("sim0 released", () -> !used(sim0, 1));
            assertEquals(1, guest.call(MSG_GET_VALUE, 1, 0)[1], "same connection, served by sim1");

            r1.unregister();
            await("no controller: ERR", () -> {
                try {
                    return guest.call(MSG_GET_VALUE, 1, 0)[0] == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            r1 = register(sim1, "sim1");
            await("sim1 bound again, state replayed", () -> used(sim1, 1) && ((GpioSimulator) sim1).level(1));
            assertEquals(0, guest.call(MSG_GET_VALUE, 1, 0)[0]);
        } finally {
            configuration.delete();
            await("the socket removed", () -> !Files.exists(socket));
            r0.unregister();
            r1.unregister();
            SimChips.close(sim0);
            SimChips.close(sim1);
        }
    }

    @Test
    void anInvalidConfigurationIsRefusedWithTheReason() throws Exception {
        Configuration configuration = configurationAdmin.createFactoryConfiguration("gpio.virtio", "?");
        Path socket = dir.resolve("bad.sock");
        configuration.update(config("socket.path", socket.toString(), "socket.mode", "rwx"));
        await("the refusal logged", () -> LOG.stream().anyMatch(line -> line.equals(
                "virtio-gpio configuration refused: socket.mode \"rwx\" is not nine permission characters like rw-------")));
        assertFalse(Files.exists(socket));
        configuration.delete();
    }
}
