// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

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
 * Refuses an invalid {@value CdevComponent#FACTORY_PID} configuration in the
 * Felix Web Console before it is saved, with the message the component would
 * fail with: the checks of {@link CdevComponent#options}, which need no chip
 * (offsets, label, bias and drive names, debounce range). Whether the chip
 * exists and has the offsets is known only when the component opens it.
 */
// Only beside the Felix Web Console 5 (its security provider is the sign): Karaf's console
// would ask for this service too, but cannot use a ConfigurationHandler of ours.
@Component(service = ConfigurationHandler.class,
        reference = @Reference(name = "felixConsole", service = SecurityProvider.class))
public final class CdevFormCheck extends FactoryFormCheck {

    /**
     * A check that looks up the factory of configurations being edited.
     *
     * @param configurationAdmin where the configurations are
     */
    @Activate
    public CdevFormCheck(@Reference ConfigurationAdmin configurationAdmin) {
        super(CdevComponent.FACTORY_PID, configurationAdmin);
    }

    @Override
    protected void check(String pid, Dictionary<String, Object> properties) {
        CdevComponent.options(ComponentProperties.as(CdevConfiguration.class, properties));
    }
}
