// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

import gpio.api.Direction;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.ErrnoException;
import gpio.cdev.internal.uapi.Ioctl;
import gpio.cdev.internal.uapi.LineConfig;
import gpio.cdev.internal.uapi.LineEvent;
import gpio.cdev.internal.uapi.LineValues;
import gpio.cdev.internal.uapi.Syscalls;

/**
 * One requested line: a kernel line request of exactly this line, so every line
 * is released on its own.
 *
 * <p>Locking: the line's monitor orders the calls on the line and guards the
 * reused structs and the settings. An edge watch has its own delivery lock,
 * held by the poller while it reads the fd and calls the listener; closing a
 * watch takes it, which makes the close synchronous. Nothing takes the delivery
 * lock while holding the line's monitor, so a listener may call the line.
 */
final class CdevLine implements GpioLine {

    private static final System.Logger LOG = System.getLogger(CdevLine.class.getName());

    private final CdevController controller;
    private final Syscalls syscalls;
    private final int offset;
    private final int fd;
    // Guarded by this.
    private final LineValues values = new LineValues();
    private final LineConfig config = new LineConfig();
    private LineSettings settings;
    private LineSettings effective;
    private boolean released;
    private Watch watch;

    CdevLine(CdevController controller, Syscalls syscalls, int offset, int fd, LineSettings settings,
            LineSettings effective) {
        this.controller = controller;
        this.syscalls = syscalls;
        this.offset = offset;
        this.fd = fd;
        this.settings = settings;
        this.effective = effective;
    }

    @Override
    public int offset() {
        return offset;
    }

    @Override
    public synchronized LineSettings settings() {
        return settings;
    }

    @Override
    public synchronized boolean getValue() throws GpioException {
        checkOpen();
        values.set(0L, 1L);
        try {
            syscalls.ioctl(fd, Ioctl.LINE_GET_VALUES, values.buffer());
        } catch (ErrnoException e) {
            throw controller.failure(offset, "reading the value failed", e);
        }
        return (values.bits() & 1L) != 0;
    }

    @Override
    public synchronized void setValue(boolean active) throws GpioException {
        checkOpen();
        if (settings.direction() != Direction.OUTPUT) {
            throw new GpioException(Reason.INVALID_ARGUMENT, controller.describe(offset) + " is an input, it cannot be set");
        }
        values.set(active ? 1L : 0L, 1L);
        try {
            syscalls.ioctl(fd, Ioctl.LINE_SET_VALUES, values.buffer());
        } catch (ErrnoException e) {
            throw controller.failure(offset, "setting the value failed", e);
        }
    }

    @Override
    public synchronized void reconfigure(LineSettings newSettings) throws GpioException {
        checkOpen();
        if (watch != null && newSettings.direction() == Direction.OUTPUT) {
            throw new GpioException(Reason.INVALID_ARGUMENT,
                    controller.describe(offset) + " has an open edge subscription: close it before making the line an output");
        }
        LineSettings newEffective = controller.defaults().applyTo(newSettings);
        apply(newEffective, watch == null ? null : watch.edges, "reconfiguring");
        settings = newSettings;
        effective = newEffective;
    }

    @Override
    public EdgeSubscription watchEdges(EdgeDetection edges, EdgeListener listener) throws GpioException {
        synchronized (this) {
            checkOpen();
            if (settings.direction() != Direction.INPUT) {
                throw new GpioException(Reason.INVALID_ARGUMENT,
                        controller.describe(offset) + " is an output: only inputs detect edges");
            }
            if (watch != null) {
                throw new GpioException(Reason.BUSY, controller.describe(offset) + " already has an edge subscription");
            }
            apply(effective, edges, "enabling edge detection");
            Watch newWatch = new Watch(edges, listener);
            try {
                newWatch.token = controller.poller().add(fd, newWatch);
            } catch (ErrnoException e) {
                apply(effective, null, "disabling edge detection");
                throw controller.failure(offset, "watching for edges failed", e);
            }
            watch = newWatch;
            return newWatch;
        }
    }

    @Override
    public void close() {
        Watch open;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            open = watch;
        }
        // Outside the monitor: closing a watch waits for a delivery in progress,
        // whose listener may be calling this line.
        if (open != null) {
            open.close();
        }
        // No ioctl can start any more (released) and none is running (we held the monitor).
        syscalls.close(fd);
        controller.released(this);
    }

    private void checkOpen() throws GpioException {
        if (released) {
            throw new GpioException(Reason.RELEASED, controller.describe(offset) + " was released");
        }
    }

    // Called with the monitor held.
    private void apply(LineSettings applied, EdgeDetection edges, String what) throws GpioException {
        config.setSingleLine(LineDefaults.flags(applied, edges), applied.outputValue(), LineDefaults.debounceMicros(applied));
        try {
            syscalls.ioctl(fd, Ioctl.LINE_SET_CONFIG, config.buffer());
        } catch (ErrnoException e) {
            throw controller.failure(offset, what + " failed", e);
        }
    }

    /** An open edge subscription; read and delivered by the controller's poller. */
    private final class Watch implements EdgeSubscription, EdgePoller.Readable {

        final EdgeDetection edges;
        private final EdgeListener listener;
        private final ReentrantLock delivery = new ReentrantLock();
        // Guarded by delivery.
        private boolean closed;
        private long lastLineSequence;
        // Set once before the watch is published.
        long token;

        Watch(EdgeDetection edges, EdgeListener listener) {
            this.edges = edges;
            this.listener = listener;
        }

        @Override
        public void readable(ByteBuffer buffer, LineEvent[] events, EdgePoller poller) {
            delivery.lock();
            try {
                if (closed) {
                    return;
                }
                int length;
                try {
                    length = syscalls.read(fd, buffer);
                } catch (ErrnoException e) {
                    LOG.log(Level.WARNING, () -> controller.describe(offset) + ": reading edge events failed: " + e.getMessage());
                    poller.probeSoon();
                    return;
                }
                for (int i = 0; i < length / LineEvent.SIZE && !closed; i++) {
                    deliver(events[i], poller);
                }
            } finally {
                delivery.unlock();
            }
        }

        private void deliver(LineEvent event, EdgePoller poller) {
            long lineSequence = Integer.toUnsignedLong(event.lineSeqno());
            // The kernel numbers a line's events for the life of the request, across
            // watches, so only a gap within one watch means lost events.
            long lost = lastLineSequence == 0 ? 0 : lineSequence - lastLineSequence - 1;
            if (lost > 0) {
                LOG.log(Level.WARNING, () -> controller.describe(offset) + ": the kernel's event buffer overflowed, "
                        + lost + " edge event(s) lost before event " + lineSequence);
            }
            lastLineSequence = lineSequence;
            Edge edge = event.id() == LineEvent.RISING_EDGE ? Edge.RISING : Edge.FALLING;
            EdgeEvent edgeEvent = new EdgeEvent(offset, edge, event.timestampNanos(),
                    poller.nextSequence(Math.max(lost, 0)), lineSequence);
            try {
                listener.onEdge(edgeEvent);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, controller.describe(offset) + ": an edge listener failed", e);
            }
        }

        @Override
        public void close() {
            delivery.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
            } finally {
                delivery.unlock();
            }
            controller.poller().remove(fd, token);
            synchronized (CdevLine.this) {
                if (watch == this) {
                    watch = null;
                    if (!released) {
                        try {
                            apply(effective, null, "disabling edge detection");
                        } catch (GpioException e) {
                            LOG.log(Level.WARNING, e.getMessage());
                        }
                    }
                }
            }
        }
    }
}
