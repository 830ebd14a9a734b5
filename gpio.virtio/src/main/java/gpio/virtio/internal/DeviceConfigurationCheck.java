// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.Dictionary;
import java.util.List;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import gpio.api.GpioController;
import gpio.form.internal.ComponentProperties;
import gpio.form.internal.FactoryFormCheck;

/**
 * Refuses an invalid {@code gpio.virtio} configuration in the Felix Web Console
 * before it is saved, with the same message the device would log, so an
 * operator sees the mistake in the form instead of a device that silently does
 * not start. The checks are those of {@link DeviceSettings#from}; besides, a
 * composed chip may not name an offset that a controller registered now with
 * that label lacks (the device itself accepts it, since controllers come and
 * go, and answers ERR for that line).
 */
// Only beside the Felix Web Console 5 (its security provider is the sign): Karaf's console
// would ask for this service too, but cannot use a ConfigurationHandler of ours.
@Component(service = ConfigurationHandler.class,
        reference = @Reference(name = "felixConsole", service = SecurityProvider.class))
public final class DeviceConfigurationCheck extends FactoryFormCheck {

    /** The GPIO controllers registered now (field injection, replaced whole by DS). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<GpioController> controllers = List.of();

    /**
     * A check that looks up the factory of configurations being edited.
     *
     * @param configurationAdmin where the configurations are
     */
    @Activate
    public DeviceConfigurationCheck(@Reference ConfigurationAdmin configurationAdmin) {
        super("gpio.virtio", configurationAdmin);
    }

    /**
     * For tests: a check that knows these controllers.
     *
     * @param configurationAdmin where the configurations are
     * @param controllers the controllers registered
     */
    DeviceConfigurationCheck(ConfigurationAdmin configurationAdmin, List<GpioController> controllers) {
        this(configurationAdmin);
        this.controllers = controllers;
    }

    @Override
    protected void check(String pid, Dictionary<String, Object> properties) {
        LineMap map = DeviceSettings.from(ComponentProperties.as(VirtioGpioConfiguration.class, properties))
                .options().lineMap();
        if (!map.composed()) {
            return;
        }
        for (GpioController controller : controllers) {
            int source = map.labels().indexOf(controller.label());
            for (int line = 0; source >= 0 && line < map.offsets().size(); line++) {
                if (map.source(line) == source && map.offset(line) >= controller.lineCount()) {
                    throw new IllegalArgumentException("lines: " + map.describe(line) + " does not exist: controller "
                            + controller.label() + " has " + controller.lineCount() + " lines, offsets 0 to "
                            + (controller.lineCount() - 1));
                }
            }
        }
    }
}
