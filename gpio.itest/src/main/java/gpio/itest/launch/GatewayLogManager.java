// SPDX-License-Identifier: Apache-2.0
package gpio.itest.launch;

import java.util.logging.LogManager;

/**
 * The gateway's {@code java.util.logging} manager: the JDK's, except that it
 * keeps logging while the JVM exits. The JDK resets logging (closing every
 * handler) in a shutdown hook of its own, which runs at the same time as the
 * gateway's hook that stops the framework; so without this, what the bundles log
 * while they stop (a device closing its socket, keeping its guest's state,
 * releasing lines) was lost. The console handler flushes each record, so there
 * is nothing to close at exit.
 */
public final class GatewayLogManager extends LogManager {

    @Override
    public void reset() {
        if (!exiting()) {
            super.reset();
        }
    }

    /** Whether the JVM is running its shutdown hooks: it then refuses new ones. */
    private static boolean exiting() {
        Thread probe = new Thread(() -> {
        });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
