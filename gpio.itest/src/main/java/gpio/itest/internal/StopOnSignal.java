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
    /** How long the hook then waits for the launcher to reach {@code System.exit}. */
    private static final long LAUNCHER_EXIT_TIMEOUT_MILLIS = 5_000;
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
            awaitLauncherExit();
        } catch (BundleException e) {
            LOG.log(Level.ERROR, "Stopping the framework failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns once the bnd launcher's {@code FrameworkWaiter} thread has ended or
     * is inside {@code System.exit}. That thread calls {@code System.exit(117)}
     * ("framework stopped") when the framework stops. Called while this hook
     * still runs, that call blocks for good and the JVM exits with 143, the code
     * of SIGTERM that service managers expect; called after every hook ended, it
     * wins the race and the exit code is 117, which a busy machine showed.
     */
    private static void awaitLauncherExit() throws InterruptedException {
        Thread waiter = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("FrameworkWaiter")).findFirst().orElse(null);
        long deadline = System.nanoTime() + LAUNCHER_EXIT_TIMEOUT_MILLIS * 1_000_000;
        while (waiter != null && waiter.isAlive() && !isExiting(waiter)) {
            if (System.nanoTime() > deadline) {
                LOG.log(Level.WARNING, "The launcher did not exit within {0} ms of the framework stopping",
                        LAUNCHER_EXIT_TIMEOUT_MILLIS);
                return;
            }
            Thread.sleep(5);
        }
    }

    private static boolean isExiting(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Shutdown")) {
                return true;
            }
        }
        return false;
    }
}
