// SPDX-License-Identifier: Apache-2.0
package gpio.form.internal;

import java.util.Map;

/**
 * Where a component reports what became of the configuration instance it was
 * given, so that the operator sees a refused value where no form could refuse
 * it before the save (Karaf's web console, the Karaf shell, ConfigurationAdmin
 * itself): the GPIO page shows, per configuration instance, the last refusal
 * and whether the previous good configuration still runs.
 *
 * <p>Each method takes the component's properties, which name the instance
 * ({@code service.pid}) and its factory ({@code service.factoryPid}).
 */
public interface Refusals {

    /**
     * The component refused the instance's latest values.
     *
     * @param component the component's properties
     * @param message what is wrong, as the component logged it
     * @param previousRunning whether the previous good configuration of the instance still runs
     *        ({@code false}: nothing runs for it)
     */
    void refused(Map<String, ?> component, String message, boolean previousRunning);

    /**
     * The component runs the instance's latest values: a refusal of it is over.
     *
     * @param component the component's properties
     */
    void accepted(Map<String, ?> component);

    /**
     * The component stopped: a refusal that said the previous configuration still
     * runs is no longer true.
     *
     * @param component the component's properties
     */
    void stopped(Map<String, ?> component);
}
