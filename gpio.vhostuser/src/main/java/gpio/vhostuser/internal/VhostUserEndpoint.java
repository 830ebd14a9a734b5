// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.newsclub.net.unix.AFUNIXSocket;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import gpio.vhostuser.Endpoint;
import gpio.vhostuser.VirtioDevice;

/**
 * A device served on a socket path.
 *
 * <h2>Threading model</h2>
 * Exactly one platform thread per endpoint ("vhost-user <path>"), whatever the
 * number of queues, lines or requests. It accepts one frontend at a time, then
 * waits (epoll(7)) on the frontend's socket, the kick eventfds of its queues and a
 * wake-up eventfd of its own, and does everything in turn: reading and answering
 * messages, parsing available rings, calling the device
 * ({@link VirtioDevice#handle}, {@link VirtioDevice#featuresNegotiated},
 * {@link VirtioDevice#reset} are therefore never concurrent for one endpoint),
 * writing used rings and call eventfds. Other threads only touch an endpoint
 * through {@link gpio.vhostuser.DescriptorChain#complete} (and read/write), which
 * lock one queue (see {@link VirtQueue}), and through this class's
 * {@link #moveTo} and {@link #close}, which swap or close the listening socket
 * and wake the endpoint thread.
 *
 * <p>After a frontend disconnects (or is dropped for breaking the protocol), the
 * thread stops the rings, resets the device, unmaps guest memory, closes every
 * fd, and accepts the next frontend on the current path. A frontend that
 * connects while another is served is accepted and closed at once.
 *
 * <h2>Fault containment</h2>
 * Nothing a frontend or a device does may end the thread: whatever escapes
 * serving one frontend ({@link Throwable}, Errors included) is logged and costs
 * that connection only, and the accept loop catches everything per iteration.
 * The case that needs it: a frontend that shrinks a memory file it shared makes
 * the next access to the mapping fault (SIGBUS), which the JVM turns into an
 * asynchronous {@link InternalError}, thrown at some later point of the same
 * thread. Closing a connection touches no guest memory, so it cannot fault again.
 */
final class VhostUserEndpoint implements Endpoint {

    private static final Logger LOG = System.getLogger(VhostUserEndpoint.class.getName());
    /** How long {@link #close} waits for the endpoint thread by default. */
    private static final long JOIN_MILLIS = 5000;
    /** Back-off after a failing accept or poll, so that a persistent error (EMFILE) does not spin. */
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private final VirtioDevice device;
    private final long joinMillis;
    /**
     * Wakes the endpoint thread. Written only under this object's lock and while
     * {@link #wakeFdOpen}; closed by the endpoint thread as it leaves, also under
     * the lock, so that no write ever reaches a closed (or reused) fd number, even
     * when {@link #close} gave up waiting for the thread.
     */
    private final int wakeFd;
    /** Guarded by this. */
    private boolean wakeFdOpen = true;
    /** The value 1 for wake-ups, then 8 bytes of scratch for draining them. */
    private final Memory one = new Memory(16);
    private final Memory acceptPoll = new Memory(2L * LibC.POLLFD_SIZE);
    private final Thread thread;
    private final Consumer<VhostUserEndpoint> onClose;
    private final Connection.Host host = new ConnectionHost();
    /** Replaced under this object's lock; read without it by the endpoint thread's poll loops. */
    private volatile ListeningSocket listening;
    private volatile boolean closed;
    private volatile Connection connection;

    private VhostUserEndpoint(ListeningSocket listening, VirtioDevice device, Consumer<VhostUserEndpoint> onClose,
            long joinMillis) {
        this.listening = listening;
        this.device = device;
        this.onClose = onClose;
        this.joinMillis = joinMillis;
        this.wakeFd = LibC.newEventFd();
        this.one.setLong(0, 1);
        this.thread = new Thread(this::run, "vhost-user " + listening.path);
        this.thread.setDaemon(true);
    }

    /**
     * Creates the socket and starts serving {@code device} on it.
     *
     * @param onClose told once when the endpoint is closed
     */
    static VhostUserEndpoint open(Path path, Set<PosixFilePermission> mode, VirtioDevice device,
            Consumer<VhostUserEndpoint> onClose) throws IOException {
        return open(path, mode, device, onClose, JOIN_MILLIS);
    }

    /** {@link #open(Path, Set, VirtioDevice, Consumer)} with {@link #close} waiting at most {@code joinMillis}. */
    static VhostUserEndpoint open(Path path, Set<PosixFilePermission> mode, VirtioDevice device,
            Consumer<VhostUserEndpoint> onClose, long joinMillis) throws IOException {
        ListeningSocket socket = ListeningSocket.create(path, mode);
        try {
            VhostUserEndpoint endpoint = new VhostUserEndpoint(socket, device, onClose, joinMillis);
            endpoint.start();
            LOG.log(Level.INFO, "vhost-user endpoint listening on {0}", socket.path);
            return endpoint;
        } catch (Throwable e) {
            socket.close();
            throw e;
        }
    }

    private void start() {
        try {
            thread.start();
        } catch (Throwable e) {
            // No thread will ever close the wake fd: close it here.
            closeWakeFd();
            throw e;
        }
    }

    /** The endpoint thread, for tests that measure it. */
    Thread thread() {
        return thread;
    }

    @Override
    public Path socketPath() {
        return listening.path;
    }

    @Override
    public boolean connected() {
        return connection != null;
    }

    /** The fd of the connected frontend's socket, -1 when none is connected; for tests. */
    int frontendSocketFd() {
        Connection current = connection;
        return current == null ? -1 : current.socketFd();
    }

    @Override
    public long negotiatedFeatures() {
        Connection current = connection;
        return current == null ? 0 : current.negotiatedFeatures();
    }

    @Override
    public void moveTo(Path newPath, Set<PosixFilePermission> mode) throws IOException {
        ListeningSocket old;
        synchronized (this) {
            if (closed) {
                throw new IOException("the endpoint on " + listening.path + " is closed");
            }
            ListeningSocket next = ListeningSocket.create(newPath, mode);
            old = listening;
            listening = next;
            // The endpoint thread wakes up and polls the new socket from then on.
            wakeLocked();
        }
        old.close();
        LOG.log(Level.INFO, "vhost-user endpoint moved from {0} to {1}", old.path, newPath);
    }

    @Override
    public void close() {
        ListeningSocket last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = listening;
            wakeLocked();
        }
        if (Thread.currentThread() != thread) {
            Connection current = connection;
            if (current != null) {
                current.shutdown();
            }
            try {
                thread.join(joinMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.log(Level.ERROR, "{0} did not stop within {1} ms (stuck in a device callback?); it closes its"
                        + " connection and fds when it gets out", thread.getName(), joinMillis);
            }
        }
        last.close();
        onClose.accept(this);
        LOG.log(Level.INFO, "vhost-user endpoint on {0} closed", last.path);
    }

    /** Writes the wake fd, unless the endpoint thread has closed it; call with this object's lock held. */
    private void wakeLocked() {
        if (wakeFdOpen) {
            LibC.writeCounter(wakeFd, Pointer.nativeValue(one));
        }
    }

    private synchronized void closeWakeFd() {
        wakeFdOpen = false;
        LibC.closeQuietly(wakeFd);
    }

    private void run() {
        try {
            boolean backOff = false;
            while (!closed) {
                try {
                    if (backOff) {
                        backOff = false;
                        pause();
                    }
                    backOff = !acceptAndServe();
                } catch (Throwable e) {
                    // Whatever it is (an Error delivered late, a failing logger), the endpoint must keep
                    // listening: a dead thread would leave a socket that accepts but never answers.
                    LOG.log(Level.ERROR, thread.getName() + " failed; it carries on", e);
                    backOff = true;
                }
            }
        } finally {
            closeWakeFd();
        }
    }

    /**
     * Waits for a frontend (or a wake-up) and serves it to the end.
     *
     * @return false when polling or accepting failed, so the loop should back off
     */
    private boolean acceptAndServe() {
        ListeningSocket socket = listening;
        acceptPoll.setInt(0, wakeFd);
        acceptPoll.setInt(LibC.POLLFD_SIZE, socket.fd());
        for (int slot = 0; slot < 2; slot++) {
            acceptPoll.setShort(slot * LibC.POLLFD_SIZE + 4, LibC.POLLIN);
            acceptPoll.setShort(slot * LibC.POLLFD_SIZE + 6, (short) 0);
        }
        if (LibC.pollFds(Pointer.nativeValue(acceptPoll), 2, -1) < 0) {
            if (LibC.errno() == LibC.EINTR) {
                return true;
            }
            LOG.log(Level.ERROR, "poll on {0} failed with errno {1}", socket.path, LibC.errno());
            return false;
        }
        if (acceptPoll.getShort(6) != 0) {
            LibC.readCounter(wakeFd, Pointer.nativeValue(one) + 8);
            return true;
        }
        if (acceptPoll.getShort(LibC.POLLFD_SIZE + 6) == 0) {
            return true;
        }
        AFUNIXSocket accepted;
        try {
            accepted = acceptOn(socket);
        } catch (IOException e) {
            LOG.log(Level.ERROR, e.getMessage());
            return false;
        }
        if (accepted != null) {
            serve(accepted, socket.path);
        }
        return true;
    }

    /**
     * Accepts a frontend waiting on {@code socket}, under this object's lock so
     * that {@link #moveTo} or {@link #close} cannot close the socket meanwhile.
     *
     * @return the frontend's socket, or null when none is waiting or {@code socket}
     *         is no longer the one listened on
     */
    private synchronized AFUNIXSocket acceptOn(ListeningSocket socket) throws IOException {
        if (closed || socket != listening) {
            return null;
        }
        return socket.accept();
    }

    private void serve(AFUNIXSocket accepted, Path path) {
        Connection current;
        try {
            current = new Connection(accepted, device, "vhost-user " + path);
        } catch (Throwable e) {
            // Typically the device failing in queueCount or maxQueueSize: it costs this frontend only.
            LOG.log(Level.WARNING, "setting up a frontend connection on " + path + " failed; it is dropped", e);
            ListeningSocket.closeAccepted(accepted);
            return;
        }
        LOG.log(Level.INFO, "frontend connected on {0}", path);
        connection = current;
        try {
            current.serve(host);
        } catch (Throwable e) {
            LOG.log(Level.ERROR, "serving the frontend on " + path + " failed; it is dropped"
                    + (e instanceof InternalError ? " (an InternalError here is how the JVM reports a fault on"
                            + " guest memory: did the frontend shrink the memory file it shared?)" : ""), e);
        } finally {
            connection = null;
            current.close();
        }
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(ACCEPT_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The endpoint as the connection it serves sees it. */
    private final class ConnectionHost implements Connection.Host {

        @Override
        public int wakeFd() {
            return wakeFd;
        }

        @Override
        public boolean closing() {
            return closed;
        }

        @Override
        public ListeningSocket listening() {
            return listening;
        }

        @Override
        public boolean refuse(ListeningSocket socket) {
            AFUNIXSocket second;
            try {
                second = acceptOn(socket);
            } catch (IOException e) {
                LOG.log(Level.ERROR, "{0}; further frontends wait until the connected one leaves", e.getMessage());
                return false;
            }
            if (second != null) {
                ListeningSocket.closeAccepted(second);
                LOG.log(Level.WARNING, "a second frontend connected to {0} while one is served: closed at once"
                        + " (one frontend at a time)", socket.path);
            }
            return true;
        }
    }
}
