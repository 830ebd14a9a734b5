// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
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
import org.osgi.framework.launch.Framework;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.sim.GpioSimulator;

/**
 * The built bundle in a real Felix framework with SCR and ConfigAdmin: factory
 * configurations come and go, change and get refused as an operator would do it.
 * The API packages are exported by the system bundle from this test's class path,
 * so the test and the bundle share the API classes.
 */
class SimComponentIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static Framework framework;
    private static BundleContext context;
    private static ConfigurationAdmin configurationAdmin;
    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    /** Held strongly: java.util.logging keeps loggers only weakly, and a new one would lack the handler. */
    private static final Logger COMPONENT_LOGGER = Logger.getLogger(SimComponent.class.getName());
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOG.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void startFramework() throws Exception {
        COMPONENT_LOGGER.addHandler(CAPTURE);
        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, System.getProperty("framework.storage"),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "gpio.api;version=1.1.0,gpio.sim;version=1.1.0,org.osgi.service.cm;version=1.6.1"));
        framework.start();
        context = framework.getBundleContext();
        File[] jars = new File(System.getProperty("framework.bundles")).listFiles();
        assertNotNull(jars);
        Arrays.sort(jars);
        List<Bundle> bundles = new ArrayList<>();
        for (File jar : jars) {
            bundles.add(context.installBundle(jar.toURI().toString()));
        }
        bundles.add(context.installBundle(new File(System.getProperty("bundle.under.test")).toURI().toString()));
        for (Bundle bundle : bundles) {
            bundle.start();
        }
        ServiceReference<ConfigurationAdmin> admin = await(() -> context.getServiceReference(ConfigurationAdmin.class),
                "ConfigurationAdmin");
        configurationAdmin = context.getService(admin);
    }

    @AfterAll
    static void stopFramework() throws Exception {
        COMPONENT_LOGGER.removeHandler(CAPTURE);
        framework.stop();
        framework.waitForStop(TIMEOUT.toMillis());
    }

    @Test
    void aConfigurationPublishesAChipThatKeepsItsLinesAcrossRenames() throws Exception {
        Configuration configuration = configurationAdmin.createFactoryConfiguration(SimComponent.PID, "?");
        configuration.update(properties("label", "it0", "line.count", 4, "line.names", new String[] {"A", "B"}));
        ServiceReference<GpioController> reference = awaitController("it0");
        assertEquals("sim", reference.getProperty(GpioController.BACKEND_PROPERTY));
        assertEquals(List.of(GpioController.class.getName(), GpioSimulator.class.getName()),
                List.of((String[]) reference.getProperty(Constants.OBJECTCLASS)));
        Object serviceId = reference.getProperty(Constants.SERVICE_ID);
        GpioController controller = context.getService(reference);
        GpioSimulator simulator = (GpioSimulator) controller;
        GpioLine line = controller.request(1, LineSettings.output(true), "it");
        assertTrue(simulator.level(1));

        configuration.update(properties("label", "it0", "line.count", 4, "line.names", new String[] {"A", "LAMP"}));
        await(() -> lineName(controller, 1).equals("LAMP") ? true : null, "the new name");
        assertTrue(line.getValue(), "a rename keeps the line in use");
        assertTrue(controller.lineInfo(1).used());

        configuration.update(properties("label", "it1", "line.count", 4, "line.names", new String[] {"A", "LAMP"}));
        ServiceReference<GpioController> renamed = awaitController("it1");
        assertEquals(serviceId, renamed.getProperty(Constants.SERVICE_ID), "the same registration, relabelled");
        assertEquals(0, context.getServiceReferences(GpioController.class, "(gpio.label=it0)").size());
        line.setValue(false);
        assertEquals("it1", controller.label());

        configuration.update(properties("label", "it1", "line.count", 4, "line.names", new String[] {"X", "X"}));
        awaitLog("gpio.sim configuration " + configuration.getPid()
                + " refused: line.names[1] 'X' is already the name of line 0");
        awaitLog("gpio.sim it1 keeps running with its previous configuration");
        assertEquals("LAMP", lineName(controller, 1));
        assertTrue(controller.lineInfo(1).used());

        Configuration duplicate = configurationAdmin.createFactoryConfiguration(SimComponent.PID, "?");
        duplicate.update(properties("label", "it1"));
        awaitLog("gpio.sim configuration " + duplicate.getPid() + " refused: label 'it1' is already used by another"
                + " GPIO controller (sim, service " + serviceId + ")");
        assertEquals(1, context.getServiceReferences(GpioController.class, "(gpio.label=it1)").size());
        duplicate.delete();

        configuration.update(properties("label", "it1", "line.count", 6));
        ServiceReference<GpioController> replaced = await(() -> {
            ServiceReference<GpioController> current = context.getServiceReference(GpioController.class);
            return current != null && !serviceId.equals(current.getProperty(Constants.SERVICE_ID)) ? current : null;
        }, "a new chip with 6 lines");
        assertEquals(6, context.getService(replaced).lineCount());
        assertEquals(GpioException.Reason.RELEASED, assertThrows(GpioException.class, line::getValue).reason(),
                "a new line count replaces the chip and releases its lines");
        GpioLine onNewChip = context.getService(replaced).request(5, LineSettings.input(), "it");

        configuration.delete();
        await(() -> context.getServiceReference(GpioController.class) == null ? true : null, "the chip to go");
        // The chip is closed right after it is unregistered, so its consumers could release their lines first.
        await(() -> released(onNewChip) ? true : null, "the line released with its chip");
    }

    /**
     * Each refused configuration instance is a refusal service of the bundle, found
     * by name as the GPIO page finds it: refused at activation (nothing runs), on
     * a change (the previous configuration runs), withdrawn when a later change is
     * accepted and when the instance is deleted.
     */
    @Test
    void refusalsStandUntilAcceptedOrDeleted() throws Exception {
        Configuration bad = configurationAdmin.createFactoryConfiguration(SimComponent.PID, "?");
        bad.update(properties("label", "no good"));
        String badPid = bad.getPid();
        String refused = awaitRefusal(badPid, "previousRunning=false");
        assertTrue(refused.startsWith("{gpio.refusal.factoryPid=gpio.sim, gpio.refusal.message=label 'no good' is not"
                + " 1 to 64 characters"), refused);
        assertTrue(refused.endsWith(", gpio.refusal.pid=" + badPid + ", gpio.refusal.previousRunning=false}"),
                refused);
        bad.delete();
        awaitNoRefusal(badPid);

        Configuration chip = configurationAdmin.createFactoryConfiguration(SimComponent.PID, "?");
        chip.update(properties("label", "refused0"));
        awaitController("refused0");
        chip.update(properties("label", "refused0", "line.count", 0));
        assertTrue(awaitRefusal(chip.getPid(), "previousRunning=true").contains("line.count"));
        assertEquals(8, context.getService(awaitController("refused0")).lineCount(), "the previous chip runs");
        chip.update(properties("label", "refused0", "line.count", 4));
        awaitNoRefusal(chip.getPid());
        chip.update(properties("label", "refused0", "line.count", 0));
        String chipPid = chip.getPid();
        awaitRefusal(chipPid, "previousRunning=true");
        chip.delete();
        awaitNoRefusal(chipPid);
        await(() -> context.getServiceReference(GpioController.class) == null ? true : null, "the chip to go");
    }

    /** The refusal of {@code pid} once it contains {@code text}: its properties but the time, in key order. */
    private static String awaitRefusal(String pid, String text) {
        return await(() -> {
            String refusal = refusal(pid);
            return refusal != null && refusal.contains(text) ? refusal : null;
        }, "a refusal of " + pid + " with " + text);
    }

    private static void awaitNoRefusal(String pid) {
        await(() -> refusal(pid) == null ? true : null, "the refusal of " + pid + " withdrawn");
    }

    private static String refusal(String pid) {
        try {
            // By name, as the GPIO page of another bundle finds them: it has its own copy of the class.
            ServiceReference<?>[] found = context.getAllServiceReferences("gpio.form.internal.Refusal",
                    "(gpio.refusal.pid=" + pid + ")");
            if (found == null) {
                return null;
            }
            assertEquals(1, found.length, "one refusal per instance");
            Map<String, Object> properties = new TreeMap<>();
            for (String key : found[0].getPropertyKeys()) {
                if (key.startsWith("gpio.refusal.") && !key.equals("gpio.refusal.refusedAt")) {
                    properties.put(key, found[0].getProperty(key));
                }
            }
            return properties.toString();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theShellCommandsRegisterWithoutAShell() throws Exception {
        assertEquals(1, context.getServiceReferences(Object.class, "(osgi.command.scope=sim)").size());
    }

    private static ServiceReference<GpioController> awaitController(String label) {
        return await(() -> {
            try {
                return context.getServiceReferences(GpioController.class, "(gpio.label=" + label + ")").stream()
                        .findFirst().orElse(null);
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new AssertionError(e);
            }
        }, "the controller " + label);
    }

    private static boolean released(GpioLine line) {
        try {
            line.getValue();
            return false;
        } catch (GpioException e) {
            assertEquals(GpioException.Reason.RELEASED, e.reason());
            return true;
        }
    }

    private static String lineName(GpioController controller, int offset) {
        try {
            return controller.lineInfo(offset).name();
        } catch (GpioException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitLog(String message) {
        await(() -> LOG.contains(message) ? true : null, "the log line '" + message + "' among " + LOG);
    }

    private static <T> T await(Supplier<T> probe, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + TIMEOUT);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Hashtable<String, Object> properties(Object... keyValues) {
        Hashtable<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }
}
