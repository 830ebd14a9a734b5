// SPDX-License-Identifier: Apache-2.0
package gpio.itest.launch;

import java.nio.file.Path;

/**
 * The executable gateway jar's entry point (see {@code cnf/gateway.bndrun}): turns
 * {@code -Dgpio.data=DIR} into the framework storage and configuration directories,
 * installs {@link GatewayLogManager}, then starts bnd's embedded launcher.
 *
 * <p>It exists because the bnd launcher takes its storage directory from a fixed
 * launch property and cannot derive it from another property. This class runs on
 * the launcher's class path, outside the framework, and is not used by the
 * {@code gpio.itest} bundle it is compiled with.
 */
public final class GatewayMain {

    /** System property: the directory holding all of the gateway's state. */
    public static final String DATA_PROPERTY = "gpio.data";

    private static final String DEFAULT_DATA_DIR = "gateway-data";

    private GatewayMain() {
    }

    /**
     * Starts the gateway in the foreground.
     *
     * @param args passed on to the bnd launcher
     * @throws Throwable whatever the launcher throws
     */
    public static void main(String[] args) throws Throwable {
        // Before anything logs: the manager is chosen when logging is first used.
        setDefault("java.util.logging.manager", GatewayLogManager.class.getName());
        Path data = Path.of(System.getProperty(DATA_PROPERTY, DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
        System.setProperty(DATA_PROPERTY, data.toString());
        setDefault("org.osgi.framework.storage", data.resolve("framework").toString());
        setDefault("felix.cm.dir", data.resolve("config").toString());
        // Named by a variable so that bnd does not turn it into an Import-Package of the bundle.
        String launcher = "aQute.launcher.pre.EmbeddedLauncher";
        Class.forName(launcher).getMethod("main", String[].class).invoke(null, (Object) args);
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
