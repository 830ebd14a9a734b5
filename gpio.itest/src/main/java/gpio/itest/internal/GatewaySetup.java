// SPDX-License-Identifier: Apache-2.0
package gpio.itest.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gives a gateway started with no GPIO configuration at all a working setup: a
 * simulator and a virtio-gpio device serving it on {@code DIR/gpio0.sock}. Then,
 * on every start, prints the QEMU command line for each configured device.
 *
 * <p>"No GPIO configuration" is checked on each start, so an operator who deletes
 * every backend and device gets the defaults back on the next start; one who keeps
 * any of them keeps exactly what they configured.
 */
@Component(immediate = true)
public final class GatewaySetup {

    static final String SIM_FACTORY_PID = "gpio.sim";
    static final String CDEV_FACTORY_PID = "gpio.cdev";
    static final String DEVICE_FACTORY_PID = "gpio.virtio";

    static final String DEFAULT_SIM_LABEL = "sim0";
    static final String DEFAULT_SOCKET_NAME = "gpio0.sock";
    static final List<String> DEFAULT_LINE_NAMES = List.of(
            "LED0", "LED1", "LED2", "LED3", "BUTTON0", "BUTTON1", "BUTTON2", "BUTTON3");

    private static final System.Logger LOG = System.getLogger(GatewaySetup.class.getName());
    private static final String ANY_GPIO_CONFIGURATION = "(|(service.factoryPid=" + SIM_FACTORY_PID
            + ")(service.factoryPid=" + CDEV_FACTORY_PID + ")(service.factoryPid=" + DEVICE_FACTORY_PID + "))";
    /** Location "?" leaves a configuration unbound, so any bundle's component can take it. */
    private static final String ANY_LOCATION = "?";

    /**
     * Creates the defaults when needed and prints how to attach QEMU.
     *
     * @param context the bundle context, for the {@code gpio.data} property
     * @param configAdmin where configurations live
     * @throws IOException when ConfigAdmin cannot store a configuration
     * @throws InvalidSyntaxException never: the filters are constants
     */
    @Activate
    public GatewaySetup(BundleContext context, @Reference ConfigurationAdmin configAdmin)
            throws IOException, InvalidSyntaxException {
        Path dataDir = Path.of(valueOr(context.getProperty("gpio.data"), "gateway-data")).toAbsolutePath();
        if (configAdmin.listConfigurations(ANY_GPIO_CONFIGURATION) == null) {
            createDefaults(configAdmin, dataDir);
        }
        Configuration[] devices = configAdmin.listConfigurations("(service.factoryPid=" + DEVICE_FACTORY_PID + ")");
        if (devices != null) {
            for (Configuration device : devices) {
                Object socket = device.getProperties().get("socket.path");
                if (socket != null) {
                    System.out.println("virtio-gpio device " + device.getPid() + " serves " + socket
                            + "; attach a guest with:\n  " + QemuCommand.forSocket(socket.toString()));
                }
            }
        }
    }

    private static void createDefaults(ConfigurationAdmin configAdmin, Path dataDir) throws IOException {
        Dictionary<String, Object> sim = new Hashtable<>();
        sim.put("label", DEFAULT_SIM_LABEL);
        sim.put("line.count", DEFAULT_LINE_NAMES.size());
        sim.put("line.names", DEFAULT_LINE_NAMES.toArray(String[]::new));
        configAdmin.getFactoryConfiguration(SIM_FACTORY_PID, DEFAULT_SIM_LABEL, ANY_LOCATION).update(sim);

        Dictionary<String, Object> device = new Hashtable<>();
        device.put("socket.path", dataDir.resolve(DEFAULT_SOCKET_NAME).toString());
        device.put("controller.target", "(gpio.label=" + DEFAULT_SIM_LABEL + ")");
        configAdmin.getFactoryConfiguration(DEVICE_FACTORY_PID, "gpio0", ANY_LOCATION).update(device);
        LOG.log(Level.INFO, "No GPIO configuration found: created simulator {0} and a virtio-gpio device on {1}",
                DEFAULT_SIM_LABEL, dataDir.resolve(DEFAULT_SOCKET_NAME));
    }

    private static String valueOr(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
