// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import gpio.api.Edge;
import gpio.api.EdgeEvent;

/**
 * The event thread of one chip, {@code gpio.sim <label> events}: turns level
 * changes of watched lines into numbered {@link EdgeEvent}s and delivers them to
 * their listeners in order, and runs the waveform player's steps on the same
 * thread, so listeners see edges in the order they happened whatever made them.
 *
 * <p>Threading: {@link #levelChanged} is called with the chip's lock held, which
 * also guards the sequence numbers and the overflow flag here. A task on the
 * event thread never holds that lock while it calls a listener. A listener that
 * throws cannot end the thread: {@link SimSubscription#deliver} contains it.
 */
final class EdgeDispatcher {

    private static final System.Logger LOG = System.getLogger(EdgeDispatcher.class.getName());
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Events waiting for the event thread beyond this many are dropped, leaving a
     * gap in the sequence numbers, as the kernel does when a line request's event
     * FIFO is full: a stuck listener must not make the queue grow without bound.
     */
    static final int MAX_PENDING_EVENTS = 4096;

    private final Supplier<String> label;
    private final ScheduledThreadPoolExecutor thread;
    private final AtomicInteger pendingEvents = new AtomicInteger();
    private long controllerSequence;
    /** Whether dropping events has been logged since the queue last had room. */
    private boolean overflowLogged;

    /**
     * Starts the event thread, named after the chip's label at this moment.
     *
     * @param label the chip's current label, for log lines
     */
    EdgeDispatcher(Supplier<String> label) {
        this.label = label;
        String threadName = "gpio.sim " + label.get() + " events";
        thread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread eventThread = new Thread(task, threadName);
            eventThread.setDaemon(true);
            return eventThread;
        });
        // A cancelled waveform step leaves the queue at once instead of waiting there until it is due.
        thread.setRemoveOnCancelPolicy(true);
    }

    /**
     * Reports the change of a line's level, just recorded, as an edge to the
     * line's subscription, if any, when the subscription watches that edge. The
     * chip's lock is held, so events are numbered in the order of their stamps.
     *
     * @param line the line whose {@link LineState#level} just changed
     * @param timestampNanos the change's stamp
     */
    void levelChanged(LineState line, long timestampNanos) {
        SimSubscription subscription = line.subscription;
        if (subscription == null) {
            return;
        }
        Edge edge = line.level ^ line.settings.activeLow() ? Edge.RISING : Edge.FALLING;
        if (!subscription.detection.reports(edge)) {
            return;
        }
        long sequence = ++controllerSequence;
        long lineSequence = ++line.lineSequence;
        if (pendingEvents.get() >= MAX_PENDING_EVENTS) {
            if (!overflowLogged) {
                overflowLogged = true;
                LOG.log(Level.WARNING, MAX_PENDING_EVENTS + " edge events of " + label.get()
                        + " wait for their listeners: dropping events (gaps in the sequence numbers) until they"
                        + " catch up");
            }
            return;
        }
        overflowLogged = false;
        pendingEvents.incrementAndGet();
        EdgeEvent event = new EdgeEvent(line.offset, edge, timestampNanos, sequence, lineSequence);
        thread.execute(() -> {
            pendingEvents.decrementAndGet();
            subscription.deliver(event);
        });
    }

    /**
     * Runs a task on the event thread after a delay.
     *
     * @param task what to run; it contains its own failures
     * @param delayNanos how long from now, zero or less for as soon as possible
     * @return the scheduled task, to cancel it (it then leaves the queue at once)
     */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return thread.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The tasks waiting for the event thread: edge deliveries and waveform steps, due or not. */
    int queuedTasks() {
        return thread.getQueue().size();
    }

    /**
     * Ends the event thread: queued tasks are dropped, a running listener is
     * interrupted and awaited for a limited time. Waiting without a limit would
     * hang the chip's close, and the deactivation calling it, for as long as a
     * faulty listener blocks.
     */
    void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "The event thread of " + label.get() + " did not end within " + CLOSE_TIMEOUT
                        + ": an edge listener is blocked");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
