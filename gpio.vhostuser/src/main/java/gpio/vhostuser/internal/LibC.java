// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls the transport needs, through JNA direct mapping.
 *
 * <p>Direct mapping with primitive arguments only (pointers passed as {@code long}
 * addresses) keeps the per-kick calls ({@link #poll}, {@link #read},
 * {@link #write}) free of Java allocation, unlike interface mapping which boxes
 * its arguments. Errors are reported by the wrappers as
 * {@link LastErrorException} carrying {@code errno}.
 *
 * <p>Public only so that the test frontend in another package can share it; the
 * package is private to the bundle.
 */
public final class LibC {

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final long MAP_FAILED = -1L;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int MFD_CLOEXEC = 0x1;
    public static final int MFD_ALLOW_SEALING = 0x2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    /** The seal that forbids shrinking a memfd. */
    public static final int F_SEAL_SHRINK = 0x2;
    public static final int O_NONBLOCK = 0x800;
    public static final short POLLIN = 0x1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLET = 1 << 31;
    /**
     * Size of {@code struct epoll_event} (uint32 events, then 64 bits of data):
     * packed on x86-64, naturally aligned on aarch64.
     */
    public static final int EPOLL_EVENT_SIZE = Platform.isIntel() ? 12 : 16;
    /** Offset of the data in {@code struct epoll_event}. */
    public static final int EPOLL_DATA_OFFSET = Platform.isIntel() ? 4 : 8;
    /** Size of {@code struct pollfd}: int fd, short events, short revents. */
    public static final int POLLFD_SIZE = 8;
    /** Offset of {@code st_size} in {@code struct stat} on 64-bit Linux (x86-64 and aarch64 alike). */
    private static final int STAT_SIZE_OFFSET = 48;
    /** Large enough for {@code struct stat} on every 64-bit Linux ABI. */
    private static final int STAT_BUFFER_SIZE = 256;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new ExceptionInInitializerError("vhost-user needs 64-bit Linux");
        }
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    private static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    private static native int munmap(long addr, long length);

    private static native int eventfd(int initval, int flags);

    private static native long read(int fd, long buf, long count);

    private static native long write(int fd, long buf, long count);

    private static native int close(int fd);

    private static native int poll(long fds, long nfds, int timeout);

    private static native int fstat(int fd, long statbuf);

    private static native int epoll_create1(int flags);

    private static native int epoll_ctl(int epfd, int op, int fd, long event);

    private static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    private static native int memfd_create(String name, int flags);

    private static native int ftruncate(int fd, long length);

    private static native int fcntl(int fd, int cmd, int arg);

    private static native int accept4(int sockfd, long addr, long addrlen, int flags);

    /**
     * Maps {@code length} bytes of {@code fd} from offset 0, shared, read/write.
     *
     * @return the address of the mapping
     */
    public static long mapShared(int fd, long length) {
        long addr = mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (addr == MAP_FAILED) {
            throw new LastErrorException(Native.getLastError());
        }
        return addr;
    }

    public static void unmap(long addr, long length) {
        if (munmap(addr, length) != 0) {
            throw new LastErrorException(Native.getLastError());
        }
    }

    /** A new non-blocking, close-on-exec eventfd. */
    public static int newEventFd() {
        int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            throw new LastErrorException(Native.getLastError());
        }
        return fd;
    }

    /** A new close-on-exec memfd of {@code size} bytes that may be sealed ({@link #addSeals}). */
    public static int newMemFd(String name, long size) {
        int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw new LastErrorException(Native.getLastError());
        }
        try {
            resize(fd, size);
        } catch (LastErrorException e) {
            close(fd);
            throw e;
        }
        return fd;
    }

    /** Sets the size of the file behind {@code fd} (ftruncate), growing or shrinking it. */
    public static void resize(int fd, long size) {
        if (ftruncate(fd, size) != 0) {
            throw new LastErrorException(Native.getLastError());
        }
    }

    /** Adds {@code seals} (F_SEAL_* bits) to the memfd {@code fd}. */
    public static void addSeals(int fd, int seals) {
        if (fcntl(fd, F_ADD_SEALS, seals) != 0) {
            throw new LastErrorException(Native.getLastError());
        }
    }

    /**
     * The seals (F_SEAL_* bits) on {@code fd}; 0 for a file that cannot carry
     * seals (anything but a memfd fails with EINVAL) and when fcntl fails otherwise.
     */
    public static int seals(int fd) {
        int seals = fcntl(fd, F_GET_SEALS, 0);
        return Math.max(seals, 0);
    }

    /**
     * Accepts a connection on the listening socket {@code fd}.
     *
     * @return the connected socket's fd, or -1 (see {@link #errno()})
     */
    public static int acceptConnection(int fd) {
        return accept4(fd, 0, 0, SOCK_CLOEXEC);
    }

    /** Sets O_NONBLOCK on {@code fd} (shared with whoever else has it open); negative fds are ignored. */
    public static void setNonBlocking(int fd) {
        setBlocking(fd, false);
    }

    /**
     * Sets or clears O_NONBLOCK on {@code fd}. Negative fds are ignored, and so are
     * errors: a later read or write on a bad fd reports them.
     */
    public static void setBlocking(int fd, boolean blocking) {
        if (fd < 0) {
            return;
        }
        int flags = fcntl(fd, F_GETFL, 0);
        if (flags >= 0) {
            fcntl(fd, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK);
        }
    }

    /** Duplicates {@code fd} as a close-on-exec fd. */
    public static int duplicate(int fd) {
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (copy < 0) {
            throw new LastErrorException(Native.getLastError());
        }
        return copy;
    }

    /**
     * The size of the file behind {@code fd} ({@code st_size} from {@code fstat}).
     *
     * @throws LastErrorException when fstat fails, e.g. for a closed fd
     */
    public static long fileSize(int fd) {
        try (Memory stat = new Memory(STAT_BUFFER_SIZE)) {
            if (fstat(fd, Pointer.nativeValue(stat)) != 0) {
                throw new LastErrorException(Native.getLastError());
            }
            return stat.getLong(STAT_SIZE_OFFSET);
        }
    }

    /**
     * Reads an eventfd's 8-byte counter into the 8 bytes at {@code scratch}.
     *
     * @return the number of bytes read, or -1 with errno EAGAIN when the counter is 0
     */
    public static long readCounter(int fd, long scratch) {
        return read(fd, scratch, 8);
    }

    /** Adds the 8-byte value at {@code value} to an eventfd's counter; returns bytes written or -1. */
    public static long writeCounter(int fd, long value) {
        return write(fd, value, 8);
    }

    /**
     * Waits for events on {@code nfds} {@code struct pollfd} at {@code fds}.
     *
     * @return the number of ready fds, 0 on timeout, -1 on error (see {@link #errno()})
     */
    public static int pollFds(long fds, int nfds, int timeoutMillis) {
        return poll(fds, nfds, timeoutMillis);
    }

    /** A new epoll instance (close-on-exec). */
    public static int newEpoll() {
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) {
            throw new LastErrorException(Native.getLastError());
        }
        return fd;
    }

    /**
     * epoll_ctl(2) with the {@code struct epoll_event} at {@code event}.
     *
     * @return 0, or -1 on error (see {@link #errno()})
     */
    public static int epollControl(int epfd, int op, int fd, long event) {
        return epoll_ctl(epfd, op, fd, event);
    }

    /**
     * Waits for up to {@code maxEvents} {@code struct epoll_event} into {@code events}.
     *
     * @return the number of events, 0 on timeout, -1 on error (see {@link #errno()})
     */
    public static int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) {
        return epoll_wait(epfd, events, maxEvents, timeoutMillis);
    }

    /** Closes {@code fd}, ignoring errors; negative fds are ignored. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            close(fd);
        }
    }

    /** The errno of the last call on this thread. */
    public static int errno() {
        return Native.getLastError();
    }
}
