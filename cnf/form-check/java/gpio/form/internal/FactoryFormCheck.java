// SPDX-License-Identifier: Apache-2.0
package gpio.form.internal;

import java.io.IOException;
import java.util.Dictionary;

import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.apache.felix.webconsole.spi.ValidationException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Refuses an invalid configuration of one factory in the Felix Web Console
 * (5.x) before it is saved: the console answers HTTP 400 with the message of
 * the {@link IllegalArgumentException} that {@link #check} throws, and saves
 * nothing. A subclass runs its component's own checks, so the operator reads
 * in the form the message the component would otherwise log.
 *
 * <p>This source is compiled into each bundle that has such a form (a private
 * package of each, not an API); each bundle imports the console's SPI package
 * optionally, and each subclass's component requires the console's
 * {@code SecurityProvider} service: without the Felix Web Console 5 (in Karaf,
 * whose console asks for configuration handlers but does not export their SPI)
 * the check is not registered and its class never loaded.
 */
public abstract class FactoryFormCheck implements ConfigurationHandler {

    private final String factoryPid;
    private final ConfigurationAdmin configurationAdmin;

    /**
     * A check of the configurations of one factory.
     *
     * @param factoryPid the factory whose configurations are checked
     * @param configurationAdmin where to look up the factory of a configuration being edited
     */
    protected FactoryFormCheck(String factoryPid, ConfigurationAdmin configurationAdmin) {
        this.factoryPid = factoryPid;
        this.configurationAdmin = configurationAdmin;
    }

    /**
     * Checks the values about to be saved.
     *
     * @param pid the configuration being saved
     * @param properties its values, as the form converted them
     * @throws IllegalArgumentException saying what is wrong
     * @throws IOException when what the check needs cannot be read
     */
    protected abstract void check(String pid, Dictionary<String, Object> properties) throws IOException;

    @Override
    public final void createConfiguration(String pid) {
        // Nothing to check before the first values arrive.
    }

    @Override
    public final void createFactoryConfiguration(String factory, String name) {
        // Nothing to check before the first values arrive.
    }

    @Override
    public final void deleteConfiguration(String factory, String pid) {
        // An instance may always be deleted.
    }

    @Override
    public final void updateConfiguration(String factory, String pid, Dictionary<String, Object> properties)
            throws ValidationException, IOException {
        // The console names the factory only when it creates an instance; on an edit, ask ConfigAdmin.
        if (!factoryPid.equals(factory == null ? factoryOf(pid) : factory)) {
            return;
        }
        try {
            check(pid, properties);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage());
        }
    }

    private String factoryOf(String pid) throws IOException {
        Configuration existing = existing(pid);
        return existing == null ? null : existing.getFactoryPid();
    }

    /**
     * The values saved so far.
     *
     * @param pid a configuration
     * @return its saved values, {@code null} for a configuration being created
     * @throws IOException when ConfigAdmin cannot be read
     */
    protected final Dictionary<String, Object> saved(String pid) throws IOException {
        Configuration existing = existing(pid);
        return existing == null ? null : existing.getProperties();
    }

    private Configuration existing(String pid) throws IOException {
        try {
            Configuration[] existing = configurationAdmin.listConfigurations(
                    "(" + Constants.SERVICE_PID + "=" + pid.replaceAll("([\\\\*()])", "\\\\$1") + ")");
            return existing == null ? null : existing[0];
        } catch (InvalidSyntaxException e) {
            throw new IOException("cannot look up configuration " + pid, e);
        }
    }
}
