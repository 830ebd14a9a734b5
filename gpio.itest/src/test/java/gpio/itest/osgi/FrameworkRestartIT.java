// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.List;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

import gpio.itest.Await;
import gpio.itest.GatewayOptions;
import gpio.sim.GpioSimulator;

/**
 * A restart of the framework: the first test configures the gateway, the
 * second runs in a new framework over the same {@code gpio.data} directory,
 * hence the same ConfigAdmin store ({@code felix.cm.dir}), and checks that the
 * configuration came back and the devices serve again. The two run in name
 * order, one framework each ({@link PerMethod}); the second alone fails.
 *
 * <p>The bundle cache is pax-exam's, new for each framework: configurations
 * live in {@code felix.cm.dir}, not in the cache (the executable gateway's kept
 * cache is covered by {@code GatewayProcessIT}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FrameworkRestartIT {

    private static final String[] KEPT_NAMES = {"KEEP0", "KEEP1", "KEEP2"};

    /** Created once in the test JVM: both frameworks get the same directory. */
    private static Path sharedDataDir;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    private Operator operator;
    private Path dataDir;

    @Configuration
    public Option[] config() {
        synchronized (FrameworkRestartIT.class) {
            if (sharedDataDir == null) {
                sharedDataDir = GatewayOptions.newDataDir();
            }
        }
        return OptionUtils.combine(GatewayOptions.gatewayBundleSet(sharedDataDir),
                GatewayOptions.frontendFromTestClassPath());
    }

    @Before
    public void setUp() throws InterruptedException {
        operator = new Operator(context, configAdmin);
        dataDir = Path.of(context.getProperty("gpio.data"));
        // Only once the setup component has run is "no defaults created again" a fact.
        Await.condition(this::gatewaySetupActive, "the gateway setup component is active");
    }

    @Test
    public void test1ConfigureBeforeTheRestart() throws Exception {
        assertEquals("a fresh gpio.data gets exactly the default simulator", 1, simulatorConfigurations().length);
        operator.createSimulator("kept", KEPT_NAMES);
        operator.createDevice(dataDir.resolve("kept.sock"), "(gpio.label=kept)");
        // Change the default device: a changed value must survive too, not only new configurations.
        org.osgi.service.cm.Configuration defaultDevice = defaultDevice();
        defaultDevice.update(Operator.deviceProperties(dataDir.resolve("moved.sock"), "(gpio.label=sim0)"));

        Operator.awaitSocket(dataDir.resolve("kept.sock"));
        try (VirtioGpioGuest guest = VirtioGpioGuest.connect(dataDir.resolve("kept.sock"))) {
            assertEquals(List.of(KEPT_NAMES), guest.lineNames());
        }
        Operator.awaitSocket(dataDir.resolve("moved.sock"));
    }

    @Test
    public void test2TheConfigurationCameBackAndTheDevicesServeAgain() throws Exception {
        org.osgi.service.cm.Configuration[] sims = simulatorConfigurations();
        assertEquals("sim0 and kept, the defaults not created again", 2, sims.length);
        org.osgi.service.cm.Configuration[] kept = configAdmin.listConfigurations(
                "(&(service.factoryPid=" + Operator.SIM_FACTORY_PID + ")(label=kept))");
        assertNotNull("the simulator configured before the restart is gone (run the whole class)", kept);
        assertArrayEquals(KEPT_NAMES, (String[]) kept[0].getProperties().get("line.names"));
        Dictionary<String, Object> moved = defaultDevice().getProperties();
        assertEquals(dataDir.resolve("moved.sock").toString(), moved.get("socket.path"));

        GpioSimulator sim = operator.simulator("kept");
        Operator.awaitSocket(dataDir.resolve("kept.sock"));
        try (VirtioGpioGuest guest = VirtioGpioGuest.connect(dataDir.resolve("kept.sock"))) {
            assertEquals(List.of(KEPT_NAMES), guest.lineNames());
            guest.drive(2, 1);
            assertTrue(sim.level(2));
        }
        Operator.awaitSocket(dataDir.resolve("moved.sock"));
        try (VirtioGpioGuest guest = VirtioGpioGuest.connect(dataDir.resolve("moved.sock"))) {
            assertEquals("the default device serves sim0 on its new socket", "LED0", guest.lineNames().get(0));
        }
    }

    private boolean gatewaySetupActive() {
        return scr.getComponentDescriptionDTOs().stream()
                .filter(description -> description.name.equals("gpio.itest.internal.GatewaySetup"))
                .flatMap(description -> scr.getComponentConfigurationDTOs(description).stream())
                .anyMatch(configuration -> configuration.state == ComponentConfigurationDTO.ACTIVE);
    }

    private org.osgi.service.cm.Configuration[] simulatorConfigurations() throws Exception {
        org.osgi.service.cm.Configuration[] sims =
                configAdmin.listConfigurations("(service.factoryPid=" + Operator.SIM_FACTORY_PID + ")");
        return sims == null ? new org.osgi.service.cm.Configuration[0] : sims;
    }

    private org.osgi.service.cm.Configuration defaultDevice() throws Exception {
        org.osgi.service.cm.Configuration[] devices = configAdmin.listConfigurations(
                "(&(service.factoryPid=" + Operator.DEVICE_FACTORY_PID + ")(controller.target=\\(gpio.label=sim0\\)))");
        assertNotNull("no device serves sim0", devices);
        assertEquals(1, devices.length);
        return devices[0];
    }
}
