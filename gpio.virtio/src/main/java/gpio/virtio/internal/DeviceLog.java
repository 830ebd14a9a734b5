// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The log of one device instance. Problems caused by the guest (bad
 * messages, failing controller calls) are logged at {@code WARNING} but at most
 * {@value #BURST} lines per second, so a misbehaving guest cannot flood the
 * log; the number of lines held back is logged with the next line let through.
 */
final class DeviceLog {

    private static final Logger LOG = System.getLogger("gpio.virtio");
    private static final int BURST = 10;
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final String device;
    private long windowStart = System.nanoTime();
    private int inWindow;
    private long heldBack;

    /**
     * A log for one device.
     *
     * @param device names the device in every line, such as its socket path
     */
    DeviceLog(String device) {
        this.device = device;
    }

    /**
     * A problem with one guest message or one line, rate limited.
     *
     * @param line the guest line number, or -1 when the message names none
     * @param what what went wrong, for a human
     */
    synchronized void guestError(int line, String what) {
        long now = System.nanoTime();
        if (now - windowStart > WINDOW_NANOS) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= BURST) {
            heldBack++;
            return;
        }
        inWindow++;
        String where = line < 0 ? device : device + " line " + line;
        if (heldBack > 0) {
            LOG.log(Level.WARNING, "{0}: {1} ({2} similar messages held back)", where, what, heldBack);
            heldBack = 0;
        } else {
            LOG.log(Level.WARNING, "{0}: {1}", where, what);
        }
    }

    /**
     * An event of the device itself (binding, swap, configuration), never rate limited.
     *
     * @param level the level
     * @param message the message
     */
    void event(Level level, String message) {
        LOG.log(level, "{0}: {1}", device, message);
    }
}
