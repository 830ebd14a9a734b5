// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import gpio.cdev.internal.uapi.EpollEvents;
import gpio.cdev.internal.uapi.ErrnoException;
import gpio.cdev.internal.uapi.LineEvent;
import gpio.cdev.internal.uapi.LineInfoChanged;
import gpio.cdev.internal.uapi.Syscalls;

/**
 * The one thread of a controller that waits on the kernel: edge events of every
 * watched line, line info changes on the chip, and the chip going away.
 *
 * <p>Threading: one epoll set, one thread. Watches are added and removed from
 * any thread (epoll_ctl is thread-safe); each is known by a token that is never
 * reused, so an event for a watch removed (and its fd number reused) during the
 * same wait is dropped rather than delivered to the wrong line. Reads happen
 * only after epoll reported the fd readable, under the watch's own delivery lock
 * (see {@link CdevLine}), so a closed watch is never read.
 *
 * <p>File descriptors: the epoll and wake fds are closed when the thread ends;
 * from then on adding, removing and waking do nothing, so a late call can never
 * touch an fd number the process has reused for something else.
 *
 * <p>Chip removal: Linux 6.1 answers ioctls on a removed chip's fds with ENODEV
 * and polls them as EPOLLHUP, but does not wake a sleeping epoll_wait when the
 * chip goes. So the poller waits at most {@link #IDLE_PROBE_MILLIS} and then
 * probes the chip with a chip info ioctl; any caller that saw ENODEV asks for a
 * probe at once with {@link #probeSoon()}.
 */
final class EdgePoller {

    /** Something the poller reads when its fd becomes readable. */
    interface Readable {
        /**
         * Called on the poller thread when the fd is readable, has hung up or failed.
         *
         * @param buffer scratch buffer holding up to {@link #EVENTS_PER_READ} line events
         * @param events views of the line events in the buffer
         * @param poller the poller, for the controller-wide sequence
         */
        void readable(ByteBuffer buffer, LineEvent[] events, EdgePoller poller);
    }

    /** What the poller reports to its controller. */
    interface ChipListener {
        /**
         * The chip's info changed: a line was requested, released or reconfigured.
         *
         * @param change the change; valid during the call only
         */
        void lineInfoChanged(LineInfoChanged change);

        /**
         * Checks that the chip is still there.
         *
         * @throws ErrnoException when the chip info ioctl fails
         */
        void probe() throws ErrnoException;

        /**
         * The chip went away; called once, on the poller thread, which then ends.
         *
         * @param why what showed it
         */
        void chipLost(String why);
    }

    /** Line events read at once; the same buffer holds 4 line info changes (4 x 288 = 24 x 48 bytes). */
    static final int EVENTS_PER_READ = 24;
    private static final int READY_PER_WAIT = 16;
    static final int IDLE_PROBE_MILLIS = 1000;
    private static final System.Logger LOG = System.getLogger(EdgePoller.class.getName());
    private static final long WAKE_TOKEN = 0;
    private static final long CHIP_TOKEN = 1;

    private final Syscalls syscalls;
    private final int chipFd;
    private final ChipListener listener;
    private final String name;
    private final Map<Long, Readable> watches = new ConcurrentHashMap<>();
    private final AtomicLong nextToken = new AtomicLong(CHIP_TOKEN + 1);
    private final int epollFd;
    private final int wakeFd;
    private final Thread thread;
    private volatile boolean stopping;
    // Guarded by this.
    private boolean fdsClosed;
    private volatile boolean probeRequested;
    // Poller thread only.
    private long controllerSequence;

    EdgePoller(Syscalls syscalls, int chipFd, String name, ChipListener listener) throws ErrnoException {
        this.syscalls = syscalls;
        this.chipFd = chipFd;
        this.name = name;
        this.listener = listener;
        epollFd = syscalls.epollCreate();
        int wake = -1;
        try {
            wake = syscalls.eventFd();
            syscalls.epollAdd(epollFd, wake, WAKE_TOKEN);
            syscalls.epollAdd(epollFd, chipFd, CHIP_TOKEN);
        } catch (ErrnoException e) {
            if (wake >= 0) {
                syscalls.close(wake);
            }
            syscalls.close(epollFd);
            throw e;
        }
        wakeFd = wake;
        thread = new Thread(this::run, "gpio-cdev-poller " + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Watches a line request fd.
     *
     * @param fd the fd
     * @param readable what reads it
     * @return the token to {@link #remove} it with
     * @throws ErrnoException when epoll refuses the fd
     */
    synchronized long add(int fd, Readable readable) throws ErrnoException {
        if (fdsClosed) {
            throw new ErrnoException("epoll_ctl(ADD) after the poller of " + name + " ended", ErrnoException.ENODEV);
        }
        long token = nextToken.getAndIncrement();
        watches.put(token, readable);
        try {
            syscalls.epollAdd(epollFd, fd, token);
        } catch (ErrnoException e) {
            watches.remove(token);
            throw e;
        }
        return token;
    }

    synchronized void remove(int fd, long token) {
        watches.remove(token);
        if (!fdsClosed) {
            syscalls.epollDelete(epollFd, fd);
        }
    }

    /** Asks the poller thread to check at once whether the chip is still there. */
    void probeSoon() {
        probeRequested = true;
        wake();
    }

    private synchronized void wake() {
        if (!fdsClosed) {
            syscalls.signal(wakeFd);
        }
    }

    private synchronized void closeFds() {
        if (!fdsClosed) {
            fdsClosed = true;
            syscalls.close(wakeFd);
            syscalls.close(epollFd);
        }
    }

    /**
     * The next controller-wide event number, counting {@code lost} events before it.
     *
     * @param lost how many events the kernel dropped before this one
     * @return the number, from 1
     */
    long nextSequence(long lost) {
        controllerSequence += lost + 1;
        return controllerSequence;
    }

    /** Stops the thread and waits for it, unless called on the thread itself. Idempotent. */
    void stop() {
        stopping = true;
        wake();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        EpollEvents ready = new EpollEvents(READY_PER_WAIT);
        ByteBuffer buffer = ByteBuffer.allocateDirect(EVENTS_PER_READ * LineEvent.SIZE).order(ByteOrder.nativeOrder());
        LineEvent[] events = new LineEvent[EVENTS_PER_READ];
        for (int i = 0; i < events.length; i++) {
            events[i] = new LineEvent(buffer, i * LineEvent.SIZE);
        }
        try {
            while (!stopping) {
                int count = syscalls.epollWait(epollFd, ready, IDLE_PROBE_MILLIS);
                if (count == 0 || probeRequested) {
                    probeRequested = false;
                    if (!probe()) {
                        return;
                    }
                }
                for (int i = 0; i < count && !stopping; i++) {
                    long token = ready.token(i);
                    if (token == WAKE_TOKEN) {
                        syscalls.drain(wakeFd);
                    } else if (token == CHIP_TOKEN) {
                        if (!readChip(ready.events(i), buffer)) {
                            return;
                        }
                    } else {
                        Readable watch = watches.get(token);
                        if (watch != null) {
                            watch.readable(buffer, events, this);
                        }
                    }
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            LOG.log(Level.ERROR, "GPIO poller of " + name + " failed; edge events stop", e);
        } finally {
            closeFds();
        }
    }

    private boolean probe() {
        try {
            listener.probe();
            return true;
        } catch (ErrnoException e) {
            listener.chipLost(e.getMessage());
            return false;
        }
    }

    private boolean readChip(int readyEvents, ByteBuffer buffer) {
        if ((readyEvents & (EpollEvents.HUP | EpollEvents.ERR)) != 0) {
            listener.chipLost("the chip's file descriptor hung up");
            return false;
        }
        int length;
        try {
            length = syscalls.read(chipFd, buffer);
        } catch (ErrnoException e) {
            listener.chipLost(e.getMessage());
            return false;
        }
        for (int at = 0; at + LineInfoChanged.SIZE <= length; at += LineInfoChanged.SIZE) {
            listener.lineInfoChanged(new LineInfoChanged(buffer, at));
        }
        return true;
    }
}
