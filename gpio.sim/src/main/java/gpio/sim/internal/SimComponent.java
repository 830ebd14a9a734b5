// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import gpio.api.GpioBackend;
import gpio.api.GpioController;
import gpio.form.internal.Refusals;
import gpio.sim.GpioSimulator;

/**
 * One simulated chip per factory configuration {@value #PID}.
 *
 * <p>The chip is registered by hand under {@link GpioController} and
 * {@link GpioSimulator} (one service object, one registration) rather than by
 * DS, because its {@value GpioController#LABEL_PROPERTY} service property
 * comes from the {@code label} configuration property, which DS cannot rename,
 * and because a new label must reach the service properties without dropping
 * the lines in use. The {@value GpioController#BACKEND_PROPERTY} property comes
 * from the component property type {@code @GpioBackend("sim")}.
 *
 * <p>A configuration that does not pass the checks of {@link SimConfig} is
 * refused with an error log line saying what is wrong, and reported to
 * {@link Refusals} for the GPIO page: at activation the component fails (no
 * chip), on modification the chip keeps running with the last good
 * configuration.
 */
@Component(name = SimComponent.PID, configurationPid = SimComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = SimConfiguration.class, factory = true)
@GpioBackend("sim")
public final class SimComponent {

    static final String PID = "gpio.sim";

    private static final System.Logger LOG = System.getLogger(SimComponent.class.getName());

    private final BundleContext context;
    private final Object backend;
    private final Refusals refusals;
    // The component's properties at activation: they name the configuration instance for the refusals.
    private final Map<String, Object> instance;
    private SimConfig config;
    private SimChip chip;
    private ServiceRegistration<?> registration;

    /**
     * Creates and registers the chip.
     *
     * @param context the bundle context to register with
     * @param configuration the configuration
     * @param properties the component properties, with {@value GpioController#BACKEND_PROPERTY}
     * @param refusals where a refused configuration is reported
     */
    @Activate
    public SimComponent(BundleContext context, SimConfiguration configuration, Map<String, Object> properties,
            @Reference(name = "refusals") Refusals refusals) {
        this.context = context;
        this.backend = properties.get(GpioController.BACKEND_PROPERTY);
        this.refusals = refusals;
        this.instance = properties;
        SimConfig checked;
        try {
            checked = check(configuration);
        } catch (IllegalArgumentException e) {
            refusals.refused(properties, e.getMessage(), false);
            throw new IllegalArgumentException("gpio.sim configuration " + properties.get("service.pid")
                    + " refused, see the log line before", e);
        }
        start(checked);
        refusals.accepted(properties);
    }

    @Modified
    synchronized void modified(SimConfiguration configuration) {
        SimConfig checked;
        try {
            checked = check(configuration);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "gpio.sim " + config.label + " keeps running with its previous configuration");
            refusals.refused(instance, e.getMessage(), true);
            return;
        }
        refusals.accepted(instance);
        if (checked.lineCount != config.lineCount) {
            LOG.log(Level.INFO, "gpio.sim " + config.label + " changes from " + config.lineCount + " to "
                    + checked.lineCount + " lines: replacing the chip, releasing its lines");
            stop();
            start(checked);
            return;
        }
        chip.applyConfiguration(checked);
        if (!checked.label.equals(config.label)) {
            registration.setProperties(serviceProperties(checked));
        }
        config = checked;
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
        refusals.stopped(instance);
    }

    private synchronized void start(SimConfig checked) {
        config = checked;
        chip = new SimChip(checked);
        registration = context.registerService(
                new String[] {GpioController.class.getName(), GpioSimulator.class.getName()}, chip,
                serviceProperties(checked));
        LOG.log(Level.INFO, "gpio.sim " + checked.label + " started with " + checked.lineCount + " lines");
    }

    private void stop() {
        // Unregister first: consumers unbind and release their lines gracefully; closing then releases the rest.
        registration.unregister();
        chip.close();
    }

    private Dictionary<String, Object> serviceProperties(SimConfig checked) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(GpioController.LABEL_PROPERTY, checked.label);
        properties.put(GpioController.BACKEND_PROPERTY, backend);
        properties.put("gpio.lines", checked.lineCount);
        return properties;
    }

    /**
     * The checked configuration.
     *
     * @throws IllegalArgumentException after logging why it is refused
     */
    private SimConfig check(SimConfiguration configuration) {
        try {
            SimConfig checked = SimConfig.from(configuration);
            checkUnique(context, checked.label, registration);
            return checked;
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "gpio.sim configuration " + instance.get("service.pid") + " refused: "
                    + e.getMessage());
            throw e;
        }
    }

    /**
     * Refuses a label that another GPIO controller already has.
     *
     * @param context where to look for the controllers
     * @param label a label that passed the checks of {@link SimConfig}
     * @param own the registration of the chip being reconfigured, {@code null} for a new chip
     * @throws IllegalArgumentException naming the controller that has the label
     */
    static void checkUnique(BundleContext context, String label, ServiceRegistration<?> own) {
        try {
            // The label's characters are checked already, so it is safe inside a filter.
            for (ServiceReference<GpioController> other : context.getServiceReferences(GpioController.class,
                    "(" + GpioController.LABEL_PROPERTY + "=" + label + ")")) {
                if (own == null || !other.equals(own.getReference())) {
                    throw new IllegalArgumentException("label '" + label + "' is already used by another GPIO"
                            + " controller (" + other.getProperty(GpioController.BACKEND_PROPERTY) + ", service "
                            + other.getProperty("service.id") + ")");
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("label '" + label + "' cannot be looked up", e);
        }
    }
}
