// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Dictionary;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Refuses an invalid {@code gpio.virtio} configuration in the Felix Web Console
 * (5.x) before it is saved, with the same message the device would log, so an
 * operator sees the mistake in the form instead of a device that silently does
 * not start. The checks are those of {@link DeviceSettings#from}.
 *
 * <p>The console's SPI package is imported optionally: without the console (a
 * plain Karaf) this service is registered under a name nobody tracks and the
 * class is never loaded.
 */
@Component(service = ConfigurationHandler.class)
public final class DeviceConfigurationCheck implements ConfigurationHandler {

    private static final String FACTORY_PID = "gpio.virtio";

    private final ConfigurationAdmin configurationAdmin;

    /**
     * A check that looks up the factory of configurations being edited.
     *
     * @param configurationAdmin where the configurations are
     */
    @Activate
    public DeviceConfigurationCheck(@Reference ConfigurationAdmin configurationAdmin) {
        this.configurationAdmin = configurationAdmin;
    }

    @Override
    public void createConfiguration(String pid) {
        // Nothing to check before the first values arrive.
    }

    @Override
    public void createFactoryConfiguration(String factoryPid, String name) {
        // Nothing to check before the first values arrive.
    }

    @Override
    public void deleteConfiguration(String factoryPid, String pid) {
        // A device may always be deleted.
    }

    @Override
    public void updateConfiguration(String factoryPid, String pid, Dictionary<String, Object> properties)
            throws ValidationException, IOException {
        // The console names the factory only when it creates an instance; on an edit, ask ConfigAdmin.
        if (!FACTORY_PID.equals(factoryPid == null ? factoryOf(pid) : factoryPid)) {
            return;
        }
        try {
            DeviceSettings.from(configuration(properties));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
    }

    private String factoryOf(String pid) throws IOException {
        try {
            Configuration[] existing = configurationAdmin.listConfigurations(
                    "(" + Constants.SERVICE_PID + "=" + pid.replaceAll("([\\\\*()])", "\\\\$1") + ")");
            return existing == null ? null : existing[0].getFactoryPid();
        } catch (InvalidSyntaxException e) {
            throw new IOException("cannot look up configuration " + pid, e);
        }
    }

    /**
     * The configuration as DS would hand it to the component: each method reads
     * its property ({@code socket_path} reads {@code socket.path}) or returns its
     * default, converted the way DS converts.
     */
    static VirtioGpioConfiguration configuration(Dictionary<String, Object> properties) {
        return (VirtioGpioConfiguration) Proxy.newProxyInstance(VirtioGpioConfiguration.class.getClassLoader(),
                new Class<?>[] {VirtioGpioConfiguration.class},
                (proxy, method, args) -> value(method, properties.get(method.getName().replace('_', '.'))));
    }

    private static Object value(Method method, Object raw) {
        Class<?> type = method.getReturnType();
        String property = method.getName().replace('_', '.');
        if (raw == null) {
            return method.getDefaultValue();
        }
        if (type == String[].class) {
            return strings(raw);
        }
        Object single = raw.getClass().isArray() ? (Array.getLength(raw) == 0 ? null : Array.get(raw, 0)) : raw;
        if (single == null) {
            return method.getDefaultValue();
        }
        if (type == String.class) {
            return single.toString();
        }
        if (type == boolean.class) {
            return single instanceof Boolean ? single : Boolean.parseBoolean(single.toString().trim());
        }
        if (type == int.class) {
            if (single instanceof Number) {
                return ((Number) single).intValue();
            }
            try {
                return Integer.parseInt(single.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(property + " \"" + single + "\" is not a whole number", e);
            }
        }
        throw new IllegalStateException("no conversion to " + type + " for " + property);
    }

    private static String[] strings(Object raw) {
        if (raw instanceof String[]) {
            return (String[]) raw;
        }
        if (raw instanceof Collection) {
            return ((Collection<?>) raw).stream().map(String::valueOf).toArray(String[]::new);
        }
        return new String[] {raw.toString()};
    }
}
