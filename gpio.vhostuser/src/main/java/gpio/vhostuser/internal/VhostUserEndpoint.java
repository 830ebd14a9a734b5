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
 * polls (poll(2)) the frontend's socket, the kick eventfds of its queues and a
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
 * fd, and accepts the next frontend on the current path.
 */
final class VhostUserEndpoint implements Endpoint {

    private static final Logger LOG = System.getLogger(VhostUserEndpoint.class.getName());
    private static final long JOIN_MILLIS = 5000;
    /** Back-off after a failing accept or poll, so that a persistent error (EMFILE) does not spin. */
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private final VirtioDevice device;
    private final int wakeFd;
    /** The value 1 for wake-ups, then 8 bytes of scratch for draining them. */
    private final Memory one = new Memory(16);
    private final Memory acceptPoll = new Memory(2L * LibC.POLLFD_SIZE);
    private final Thread thread;
    private final Consumer<VhostUserEndpoint> onClose;
    /** Guarded by this. */
    private ListeningSocket listening;
    private volatile boolean closed;
    private volatile Connection connection;
    /** Set when {@link #close} ran on the endpoint thread itself. */
    private volatile boolean closeWakeFdOnExit;

    private VhostUserEndpoint(ListeningSocket listening, VirtioDevice device, Consumer<VhostUserEndpoint> onClose) {
        this.listening = listening;
        this.device = device;
        this.onClose = onClose;
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
        ListeningSocket socket = ListeningSocket.create(path, mode);
        VhostUserEndpoint endpoint = new VhostUserEndpoint(socket, device, onClose);
        endpoint.thread.start();
        LOG.log(Level.INFO, "vhost-user endpoint listening on {0}", socket.path);
        return endpoint;
    }

    /** The endpoint thread, for tests that measure it. */
    Thread thread() {
        return thread;
    }

    @Override
    public synchronized Path socketPath() {
        return listening.path;
    }

    @Override
    public boolean connected() {
        return connection != null;
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
        }
        // The endpoint thread wakes up and polls the new socket from then on.
        wake();
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
        }
        wake();
        Connection current = connection;
        if (current != null && Thread.currentThread() != thread) {
            current.shutdown();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.log(Level.ERROR, "{0} did not stop within {1} ms", thread.getName(), JOIN_MILLIS);
            }
        }
        if (Thread.currentThread() == thread) {
            // Closed by the device from inside a callback: the thread closes the fd when it leaves.
            closeWakeFdOnExit = true;
        } else if (!thread.isAlive()) {
            LibC.closeQuietly(wakeFd);
        }
        last.close();
        onClose.accept(this);
        LOG.log(Level.INFO, "vhost-user endpoint on {0} closed", last.path);
    }

    private void wake() {
        LibC.writeCounter(wakeFd, Pointer.nativeValue(one));
    }

    private synchronized ListeningSocket listening() {
        return listening;
    }

    private void run() {
        long pollAddress = Pointer.nativeValue(acceptPoll);
        try {
            while (!closed) {
                ListeningSocket socket = listening();
                acceptPoll.setInt(0, wakeFd);
                acceptPoll.setInt(LibC.POLLFD_SIZE, socket.fd());
                for (int slot = 0; slot < 2; slot++) {
                    acceptPoll.setShort(slot * LibC.POLLFD_SIZE + 4, LibC.POLLIN);
                    acceptPoll.setShort(slot * LibC.POLLFD_SIZE + 6, (short) 0);
                }
                if (LibC.pollFds(pollAddress, 2, -1) < 0 && LibC.errno() != LibC.EINTR) {
                    LOG.log(Level.ERROR, "poll on {0} failed with errno {1}", socket.path, LibC.errno());
                    pause();
                    continue;
                }
                if (acceptPoll.getShort(6) != 0) {
                    LibC.readCounter(wakeFd, Pointer.nativeValue(one) + 8);
                    continue;
                }
                if (acceptPoll.getShort(LibC.POLLFD_SIZE + 6) != 0) {
                    accept(socket);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, thread.getName() + " failed", e);
        } finally {
            if (closeWakeFdOnExit) {
                LibC.closeQuietly(wakeFd);
            }
        }
    }

    private void accept(ListeningSocket socket) {
        AFUNIXSocket accepted;
        try {
            accepted = socket.accept();
        } catch (IOException e) {
            if (!closed && socket == listening()) {
                LOG.log(Level.ERROR, e.getMessage());
                pause();
            }
            return;
        }
        if (accepted != null) {
            serve(accepted, socket.path);
        }
    }

    private void serve(AFUNIXSocket accepted, Path path) {
        Connection current;
        try {
            current = new Connection(accepted, device, "vhost-user " + path);
        } catch (IOException | RuntimeException e) {
            // A RuntimeException here comes from the device (queueCount, maxQueueSize): it costs this
            // frontend only; letting it escape would end the endpoint thread and hang every later frontend.
            LOG.log(Level.WARNING, "setting up a frontend connection on {0} failed: {1}", path, e.toString());
            ListeningSocket.closeAccepted(accepted);
            return;
        }
        LOG.log(Level.INFO, "frontend connected on {0}", path);
        connection = current;
        try {
            current.serve(wakeFd, () -> closed);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "serving the frontend on " + path + " failed; it is dropped", e);
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
}
