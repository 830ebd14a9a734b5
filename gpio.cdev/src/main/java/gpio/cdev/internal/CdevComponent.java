// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import gpio.api.Bias;
import gpio.api.Drive;
import gpio.api.GpioBackend;
import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.cdev.internal.uapi.LinuxSyscalls;
import gpio.cdev.internal.uapi.Syscalls;
import gpio.form.internal.Refusals;

/**
 * One configured Linux GPIO chip, published as a {@link GpioController}.
 *
 * <p>The component registers the service itself instead of letting DS do it,
 * for two reasons: the {@code gpio.label} property defaults to the chip's label,
 * known only once the chip is open; and when the chip disappears the service
 * must go away while the configuration stays. The service carries the
 * component's properties, among them {@code gpio.backend=cdev} from
 * {@link GpioBackend}.
 *
 * <p>There is no modification in place: SCR stops the controller and starts
 * one for the new values. Values that cannot be served (an invalid property,
 * a missing chip, an offset the chip lacks) fail the activation: they are
 * reported to {@link Refusals}, and nothing runs for the configuration until
 * it is corrected.
 */
@Component(configurationPid = CdevComponent.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = CdevConfiguration.class, factory = true)
@GpioBackend("cdev")
public final class CdevComponent {

    /** The factory PID of the configurations. */
    public static final String FACTORY_PID = "gpio.cdev";
    private static final System.Logger LOG = System.getLogger(CdevComponent.class.getName());

    private final CdevController controller;
    private final Refusals refusals;
    private final Map<String, Object> instance;
    private final AtomicBoolean withdrawn = new AtomicBoolean();
    // Set once registered; the chip may go away (and withdraw be called) before.
    private volatile ServiceRegistration<GpioController> registration;

    /**
     * Opens the chip and publishes the controller.
     *
     * @param context the bundle context, to register the service
     * @param configuration the configuration
     * @param properties the component properties, copied to the service
     * @param refusals where configurations that cannot be served are reported
     * @throws GpioException when the chip cannot be opened or the configuration does not fit it
     */
    @Activate
    public CdevComponent(BundleContext context, CdevConfiguration configuration, Map<String, Object> properties,
            @Reference(name = "refusals") Refusals refusals) throws GpioException {
        this(new LinuxSyscalls(), context, () -> options(configuration), properties, refusals);
    }

    CdevComponent(Syscalls syscalls, BundleContext context, Supplier<CdevController.Options> options,
            Map<String, Object> properties, Refusals refusals) throws GpioException {
        this.refusals = refusals;
        this.instance = properties;
        try {
            controller = CdevController.open(syscalls, options.get(), this::withdraw);
        } catch (GpioException | RuntimeException e) {
            refusals.refused(properties, e.getMessage(), false);
            throw e;
        }
        Hashtable<String, Object> serviceProperties = new Hashtable<>();
        properties.forEach((key, value) -> {
            if (!key.startsWith(".") && !key.startsWith("component.")) {
                serviceProperties.put(key, value);
            }
        });
        serviceProperties.put(GpioController.LABEL_PROPERTY, controller.label());
        try {
            registration = context.registerService(GpioController.class, controller, serviceProperties);
        } catch (RuntimeException e) {
            controller.close();
            throw e;
        }
        if (withdrawn.get()) {
            unregister();
        }
        refusals.accepted(properties);
    }

    /**
     * The options of a configuration, checked as far as they can be without the chip.
     *
     * @param configuration the configuration
     * @return the options
     * @throws IllegalArgumentException saying which property is wrong and why
     */
    static CdevController.Options options(CdevConfiguration configuration) {
        return new CdevController.Options(configuration.chip().trim(), offsets(configuration.offsets()),
                configuration.consumer(), configuration.gpio_label().trim(), lineDefaults(configuration));
    }

    /** The offsets given, blank entries (an empty form field) skipped. */
    private static int[] offsets(String[] given) {
        return Arrays.stream(given).map(String::trim).filter(entry -> !entry.isEmpty()).mapToInt(entry -> {
            try {
                return Integer.parseInt(entry);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("offsets \"" + entry + "\" is not a whole number", e);
            }
        }).toArray();
    }

    private static LineDefaults lineDefaults(CdevConfiguration configuration) {
        Bias bias = configuration.bias();
        Drive drive = configuration.drive();
        boolean activeLow = configuration.active_low();
        long debounceMicros = configuration.debounce_us();
        try {
            // Any long fits a Duration this way; LineDefaults then checks the range.
            return new LineDefaults(bias, drive, activeLow,
                    Duration.ofSeconds(debounceMicros / 1_000_000, debounceMicros % 1_000_000 * 1000));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("debounce.us " + debounceMicros + ": " + e.getMessage(), e);
        }
    }

    /** Withdraws the service and releases every line. */
    @Deactivate
    void deactivate() {
        withdraw();
        controller.close();
        refusals.stopped(instance);
    }

    // Called on deactivation, or on the poller thread when the chip went away.
    private void withdraw() {
        if (withdrawn.compareAndSet(false, true)) {
            unregister();
        }
    }

    private void unregister() {
        ServiceRegistration<GpioController> current = registration;
        if (current != null) {
            try {
                current.unregister();
            } catch (IllegalStateException e) {
                LOG.log(Level.DEBUG, "GPIO controller service already unregistered", e);
            }
        }
    }
}
