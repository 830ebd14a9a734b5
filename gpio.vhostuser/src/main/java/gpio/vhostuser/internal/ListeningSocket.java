// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A listening Unix socket at a path, created so that it is never accessible with
 * wider permissions than asked: the socket is bound inside a fresh private
 * directory (mode 0700) next to the target, given its mode there, and then
 * renamed onto the target path, which atomically replaces a stale socket file.
 *
 * <p>Connections are accepted with accept4(2) on {@link #fd()}, not with
 * junixsocket's {@code accept()}, which refuses to work once the socket file was
 * renamed (it checks that the bound path still names the socket).
 */
final class ListeningSocket implements AutoCloseable {

    private static final int BACKLOG = 4;
    /** The longest path a Unix socket address holds (sun_path is 108 bytes with its NUL). */
    static final int MAX_PATH_BYTES = 107;
    /** How much longer the staging path ({@code .vuXXXXXXXX/s} beside the target) is than a file name. */
    private static final int STAGING_OVERHEAD = ".vu12345678/s".length();
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    final Path path;
    private final AFUNIXServerSocket server;
    private final int fd;
    /** Identifies our socket file, so that we never delete a file someone else put at the path. */
    private final Object fileKey;

    private ListeningSocket(Path path, AFUNIXServerSocket server, Object fileKey) throws IOException {
        this.path = path;
        this.server = server;
        this.fileKey = fileKey;
        this.fd = FileDescriptorCast.using(server.getFileDescriptor()).as(Integer.class);
        // accept4 is only called after poll(2) said a frontend is waiting, but one may go away in
        // between: then accept must return EAGAIN instead of blocking the endpoint thread.
        LibC.setNonBlocking(fd);
    }

    /** The listening socket's fd, to poll and accept on. */
    int fd() {
        return fd;
    }

    /**
     * Accepts a pending connection. The caller owns the socket and must release it
     * with {@link #closeAccepted}.
     *
     * @return the connected socket, or null when none was pending
     * @throws IOException when accepting fails
     */
    AFUNIXSocket accept() throws IOException {
        int connected = LibC.acceptConnection(fd);
        if (connected < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                return null;
            }
            throw new IOException("accept on " + path + " failed with errno " + errno);
        }
        try {
            return FileDescriptorCast.unsafeUsing(connected).as(AFUNIXSocket.class);
        } catch (Throwable e) {
            LibC.closeQuietly(connected);
            throw e;
        }
    }

    static ListeningSocket create(Path socketPath, Set<PosixFilePermission> mode) throws IOException {
        Path path = socketPath.toAbsolutePath().normalize();
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IOException("cannot listen on " + path + ": its parent directory " + parent
                    + " does not exist");
        }
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES - STAGING_OVERHEAD) {
            throw new IOException("cannot listen on " + path + ": the path is " + length + " bytes long; a Unix socket"
                    + " path holds at most " + MAX_PATH_BYTES + " bytes, and creating it safely (in a private"
                    + " directory beside it) leaves at most " + (MAX_PATH_BYTES - STAGING_OVERHEAD));
        }
        checkReplaceable(path);
        Path privateDir = createPrivateDirectory(parent);
        Path staging = privateDir.resolve("s");
        AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
        try {
            server.setDeleteOnClose(false);
            server.bind(AFUNIXSocketAddress.of(staging), BACKLOG);
            Files.setPosixFilePermissions(staging, mode);
            Files.move(staging, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new ListeningSocket(path, server, key);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(staging);
            Files.deleteIfExists(privateDir);
        }
    }

    /** A fresh directory {@code .vuXXXXXXXX} with mode 0700 in {@code parent}. */
    private static Path createPrivateDirectory(Path parent) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve(String.format(".vu%08x", ThreadLocalRandom.current().nextInt()));
            try {
                return Files.createDirectory(candidate, PRIVATE);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** A stale socket file may be replaced; anything else, or a socket someone listens on, may not. */
    private static void checkReplaceable(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException("cannot listen on " + path + ": it exists and is not a socket");
        }
        boolean listened;
        try {
            AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path)).close();
            listened = true;
        } catch (IOException e) {
            listened = false;
        }
        if (listened) {
            throw new IOException("cannot listen on " + path + ": another process is listening there");
        }
    }

    /**
     * Closes a socket from {@link #accept}. A junixsocket socket made from a raw fd
     * does not close that fd on {@code close()} (verified with junixsocket 2.11.1),
     * so the fd is closed here explicitly, exactly once. But junixsocket closes the
     * fd itself, and says the socket is closed, when a write fails with EPIPE (the
     * frontend went away first; seen in MalformedInputFuzzTest, 2.11.1): the number
     * may belong to another file by now, another thread's, and is left alone.
     */
    static void closeAccepted(AFUNIXSocket socket) {
        int fd = -1;
        try {
            fd = FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
        } catch (IOException e) {
            // No fd to close.
        }
        boolean closedByJunixsocket = socket.isClosed();
        try {
            socket.close();
        } catch (IOException e) {
            // Closing the Java object is best effort; the fd is what matters.
        }
        if (!closedByJunixsocket) {
            LibC.closeQuietly(fd);
        }
    }

    /** Stops listening and removes the socket file if it is still ours. Never fails. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Closing a listening socket does not fail in a way that matters here.
        }
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // Already gone or replaced: nothing of ours to remove.
        }
    }
}
