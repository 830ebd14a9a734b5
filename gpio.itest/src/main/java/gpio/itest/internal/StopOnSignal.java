// SPDX-License-Identifier: Apache-2.0
package gpio.itest.internal;

import java.lang.System.Logger.Level;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Stops the framework when the JVM is asked to exit (SIGTERM, Ctrl-C), so every
 * component deactivates: devices close and unlink their sockets, backends
 * release their lines. The bnd launcher does not do this itself.
 */
@Component(immediate = true)
public final class StopOnSignal {

    /** How long the JVM's exit waits for bundles to stop. */
    private static final long STOP_TIMEOUT_MILLIS = 30_000;
    private static final System.Logger LOG = System.getLogger(StopOnSignal.class.getName());

    private final Thread hook;

    /**
     * Registers the shutdown hook.
     *
     * @param context any bundle context, to reach the system bundle
     */
    @Activate
    public StopOnSignal(BundleContext context) {
        Framework framework = (Framework) context.getBundle(0);
        hook = new Thread(() -> stop(framework), "gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // The hook itself is stopping the framework: nothing to undo.
        }
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MILLIS);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.log(Level.WARNING, "Bundles did not stop within {0} ms; exiting anyway", STOP_TIMEOUT_MILLIS);
            } else {
                System.out.println("Gateway stopped.");
            }
        } catch (BundleException e) {
            LOG.log(Level.ERROR, "Stopping the framework failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
