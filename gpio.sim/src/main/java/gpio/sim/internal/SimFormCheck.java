// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.util.Dictionary;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import gpio.form.internal.ComponentProperties;
import gpio.form.internal.FactoryFormCheck;

/**
 * Refuses an invalid {@value SimComponent#PID} configuration in the Felix Web
 * Console before it is saved, with the message the simulator would log: the
 * checks of {@link SimConfig#from}.
 */
@Component(service = ConfigurationHandler.class)
public final class SimFormCheck extends FactoryFormCheck {

    /**
     * A check that looks up the factory of configurations being edited.
     *
     * @param configurationAdmin where the configurations are
     */
    @Activate
    public SimFormCheck(@Reference ConfigurationAdmin configurationAdmin) {
        super(SimComponent.PID, configurationAdmin);
    }

    @Override
    protected void check(String pid, Dictionary<String, Object> properties) {
        SimConfig.from(ComponentProperties.as(SimConfiguration.class, properties));
    }
}
