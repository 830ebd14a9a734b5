// SPDX-License-Identifier: Apache-2.0
package gpio.form.internal;

import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.ServiceReference;

/**
 * One standing refusal of a configuration instance, published as a service
 * under this class's name by {@link RefusalServices}. This source is compiled
 * into each bundle (a private package), so a bundle cannot use another's
 * object: the GPIO page finds the refusals of every bundle by this class's name
 * and reads them back from the service properties ({@link #of}).
 *
 * @param pid the configuration instance
 * @param factoryPid its factory, {@code null} for a singleton configuration
 * @param message what is wrong
 * @param previousRunning whether the previous good configuration of the instance still runs
 * @param refusedAt when the values were refused
 */
public record Refusal(String pid, String factoryPid, String message, boolean previousRunning, Instant refusedAt) {

    /** The filter that finds the refusals of every bundle. */
    public static final String FILTER = "(objectClass=" + Refusal.class.getName() + ")";

    private static final String PID = "gpio.refusal.pid";
    private static final String FACTORY_PID = "gpio.refusal.factoryPid";
    private static final String MESSAGE = "gpio.refusal.message";
    private static final String PREVIOUS_RUNNING = "gpio.refusal.previousRunning";
    private static final String REFUSED_AT = "gpio.refusal.refusedAt";

    /** The service properties that carry this refusal to other bundles. */
    Dictionary<String, Object> serviceProperties() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(PID, pid);
        if (factoryPid != null) {
            properties.put(FACTORY_PID, factoryPid);
        }
        properties.put(MESSAGE, message);
        properties.put(PREVIOUS_RUNNING, previousRunning);
        properties.put(REFUSED_AT, refusedAt.toEpochMilli());
        return properties;
    }

    /**
     * Reads a refusal back from its service, whichever bundle published it.
     *
     * @param service a service found with {@link #FILTER}
     * @return the refusal
     */
    public static Refusal of(ServiceReference<?> service) {
        Object factoryPid = service.getProperty(FACTORY_PID);
        return new Refusal(String.valueOf(service.getProperty(PID)),
                factoryPid == null ? null : factoryPid.toString(), String.valueOf(service.getProperty(MESSAGE)),
                Boolean.TRUE.equals(service.getProperty(PREVIOUS_RUNNING)),
                Instant.ofEpochMilli(((Number) service.getProperty(REFUSED_AT)).longValue()));
    }
}
