// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.Dictionary;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import gpio.form.internal.ComponentProperties;
import gpio.form.internal.FactoryFormCheck;

/**
 * Refuses an invalid {@code gpio.virtio} configuration in the Felix Web Console
 * before it is saved, with the same message the device would log, so an
 * operator sees the mistake in the form instead of a device that silently does
 * not start. The checks are those of {@link DeviceSettings#from}.
 */
// Only beside the Felix Web Console 5 (its security provider is the sign): Karaf's console
// would ask for this service too, but cannot use a ConfigurationHandler of ours.
@Component(service = ConfigurationHandler.class,
        reference = @Reference(name = "felixConsole", service = SecurityProvider.class))
public final class DeviceConfigurationCheck extends FactoryFormCheck {

    /**
     * A check that looks up the factory of configurations being edited.
     *
     * @param configurationAdmin where the configurations are
     */
    @Activate
    public DeviceConfigurationCheck(@Reference ConfigurationAdmin configurationAdmin) {
        super("gpio.virtio", configurationAdmin);
    }

    @Override
    protected void check(String pid, Dictionary<String, Object> properties) {
        DeviceSettings.from(ComponentProperties.as(VirtioGpioConfiguration.class, properties));
    }
}
