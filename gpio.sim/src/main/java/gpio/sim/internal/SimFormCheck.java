// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.io.IOException;
import java.util.Dictionary;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import gpio.form.internal.ComponentProperties;
import gpio.form.internal.FactoryFormCheck;

/**
 * Refuses an invalid {@value SimComponent#PID} configuration in the Felix Web
 * Console before it is saved, with the message the simulator would log: the
 * checks of {@link SimConfig#from}, and a label another running controller
 * already has ({@link SimComponent#checkUnique}).
 */
// Only beside the Felix Web Console 5 (its security provider is the sign): Karaf's console
// would ask for this service too, but cannot use a ConfigurationHandler of ours.
@Component(service = ConfigurationHandler.class,
        reference = @Reference(name = "felixConsole", service = SecurityProvider.class))
public final class SimFormCheck extends FactoryFormCheck {

    private final BundleContext context;

    /**
     * A check that looks up the factory of configurations being edited.
     *
     * @param context where to look for the other controllers
     * @param configurationAdmin where the configurations are
     */
    @Activate
    public SimFormCheck(BundleContext context, @Reference ConfigurationAdmin configurationAdmin) {
        super(SimComponent.PID, configurationAdmin);
        this.context = context;
    }

    @Override
    protected void check(String pid, Dictionary<String, Object> properties) throws IOException {
        SimConfig checked = SimConfig.from(ComponentProperties.as(SimConfiguration.class, properties));
        // A chip that keeps its label still has it: only a new label can collide.
        Dictionary<String, Object> saved = saved(pid);
        if (saved == null || !checked.label.equals(saved.get("label"))) {
            SimComponent.checkUnique(context, checked.label, null);
        }
    }
}
