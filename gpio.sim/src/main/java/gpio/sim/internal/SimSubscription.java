// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.lang.System.Logger.Level;

import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;

/**
 * An edge watch on one line.
 *
 * <p>Threading: events are delivered on the chip's single event thread while
 * holding this object's monitor, after checking {@code closed}. Close first
 * sets {@code closed}, so no delivery starts after that, then takes the monitor
 * once, which waits for a running delivery to finish: once close returns the
 * listener is not called again, as {@link EdgeSubscription#close()} promises.
 * From inside the listener the monitor is already held (it is reentrant), so
 * close returns at once. Neither side holds the chip's lock while taking this monitor,
 * so a listener may call back into the chip.
 */
final class SimSubscription implements EdgeSubscription {

    private static final System.Logger LOG = System.getLogger(SimSubscription.class.getName());

    private final SimChip chip;
    private final LineState line;
    final EdgeDetection detection;
    private final EdgeListener listener;
    private volatile boolean closed;

    SimSubscription(SimChip chip, LineState line, EdgeDetection detection, EdgeListener listener) {
        this.chip = chip;
        this.line = line;
        this.detection = detection;
        this.listener = listener;
    }

    /** Called on the event thread only. */
    synchronized void deliver(EdgeEvent event) {
        if (closed) {
            return;
        }
        try {
            listener.onEdge(event);
        } catch (Throwable e) {
            // Whatever a listener throws, an Error too, ends neither the event thread nor the watch: the other
            // lines' listeners, and this one, get the next events.
            LOG.log(Level.WARNING, "Edge listener " + listener.getClass().getName() + " on line " + event.offset()
                    + " of " + chip.label() + " failed on " + event + "; it stays subscribed", e);
        }
    }

    @Override
    public void close() {
        chip.detach(line, this);
        markClosed();
    }

    /**
     * Stops deliveries from starting, without waiting for a running one: for the
     * chip's close, which interrupts and awaits the event thread instead.
     */
    void stopDeliveries() {
        closed = true;
    }

    /** Stops deliveries, waiting for a running one; the caller must not hold the chip's lock. */
    void markClosed() {
        stopDeliveries();
        synchronized (this) {
            // Entering the monitor is the point: it waits until a running delivery has returned.
        }
    }
}
