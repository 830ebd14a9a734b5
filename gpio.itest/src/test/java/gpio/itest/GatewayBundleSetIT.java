// SPDX-License-Identifier: Apache-2.0
package gpio.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;

import gpio.api.GpioController;

/** The gateway's whole bundle set in a real Felix framework, started with no configuration. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GatewayBundleSetIT {

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private MetaTypeService metaType;

    @Configuration
    public Option[] config() {
        return GatewayOptions.gatewayBundleSet(GatewayOptions.newDataDir());
    }

    @Test
    public void everyBundleIsActive() {
        List<String> notActive = Arrays.stream(context.getBundles())
                .filter(b -> b.getState() != Bundle.ACTIVE && b.getHeaders().get(Constants.FRAGMENT_HOST) == null)
                .map(b -> b.getSymbolicName() + " (state " + b.getState() + ")")
                .collect(Collectors.toList());
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
    }

    @Test
    public void theDefaultSimulatorIsPublishedWithItsServiceProperties() throws Exception {
        ServiceReference<GpioController> ref = Await.service(context, GpioController.class, "(gpio.label=sim0)");
        assertEquals("sim", ref.getProperty(GpioController.BACKEND_PROPERTY));
        GpioController sim = context.getService(ref);
        try {
            assertEquals("sim0", sim.label());
            assertEquals(8, sim.lineCount());
            assertEquals("LED0", sim.lineInfo(0).name());
            assertEquals("BUTTON3", sim.lineInfo(7).name());
        } finally {
            context.ungetService(ref);
        }
    }

    @Test
    public void everyBackendAndTheDeviceHaveAFactoryConfigurationForm() {
        for (String[] bundleAndPid : new String[][] {
                {"gpio.sim", "gpio.sim"}, {"gpio.cdev", "gpio.cdev"}, {"gpio.virtio", "gpio.virtio"}}) {
            Bundle bundle = Arrays.stream(context.getBundles())
                    .filter(b -> b.getSymbolicName().equals(bundleAndPid[0])).findFirst()
                    .orElseThrow(() -> new AssertionError("no bundle " + bundleAndPid[0]));
            MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
            assertTrue(bundleAndPid[0] + " has no factory form " + bundleAndPid[1],
                    Arrays.asList(info.getFactoryPids()).contains(bundleAndPid[1]));
            assertNotNull(info.getObjectClassDefinition(bundleAndPid[1], null).getName());
        }
    }

    @Test
    public void theDefaultDeviceServesTheSimulatorInTheDataDirectory() throws Exception {
        org.osgi.service.cm.Configuration[] devices = configAdmin.listConfigurations("(service.factoryPid=gpio.virtio)");
        assertNotNull("no gpio.virtio configuration was created", devices);
        assertEquals(1, devices.length);
        Dictionary<String, Object> properties = devices[0].getProperties();
        Path dataDir = Path.of(context.getProperty("gpio.data"));
        assertEquals(dataDir.resolve("gpio0.sock").toString(), properties.get("socket.path"));
        assertEquals("(gpio.label=sim0)", properties.get("controller.target"));
        Await.condition(() -> Files.exists(dataDir.resolve("gpio0.sock")), "the device's socket file exists");
    }
}
