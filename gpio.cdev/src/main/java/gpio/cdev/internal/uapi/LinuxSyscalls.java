// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The real system calls, through JNA direct mapping to the C library (no C
 * code of our own). errno comes back as a {@link LastErrorException}.
 */
public final class LinuxSyscalls implements Syscalls {

    private static final int O_RDWR = 02;
    private static final int O_CLOEXEC = 02000000;
    private static final int EPOLL_CLOEXEC = O_CLOEXEC;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = O_CLOEXEC;

    /** The C library functions, bound once by JNA direct mapping. */
    private static final class C {
        static {
            Native.register(C.class, Platform.C_LIBRARY_NAME);
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int ioctl(int fd, long request, ByteBuffer argument) throws LastErrorException;

        static native long read(int fd, ByteBuffer buffer, long count) throws LastErrorException;

        static native long write(int fd, ByteBuffer buffer, long count) throws LastErrorException;

        static native int epoll_create1(int flags) throws LastErrorException;

        static native int epoll_ctl(int epfd, int op, int fd, ByteBuffer event) throws LastErrorException;

        static native int epoll_wait(int epfd, ByteBuffer events, int maxEvents, int timeout)
                throws LastErrorException;

        static native int eventfd(int initialValue, int flags) throws LastErrorException;

        private C() {
        }
    }

    @Override
    public List<String> chipPaths() {
        List<String> paths = new ArrayList<>();
        try (DirectoryStream<Path> chips = Files.newDirectoryStream(Path.of("/dev"), "gpiochip*")) {
            chips.forEach(chip -> paths.add(chip.toString()));
        } catch (IOException e) {
            return List.of();
        }
        Collections.sort(paths);
        return paths;
    }

    @Override
    public int open(String path) throws ErrnoException {
        try {
            return C.open(path, O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new ErrnoException("open(" + path + ")", e.getErrorCode());
        }
    }

    @Override
    public void close(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException e) {
            // The fd is released even when close reports an error.
        }
    }

    @Override
    public void ioctl(int fd, Ioctl request, ByteBuffer argument) throws ErrnoException {
        try {
            C.ioctl(fd, request.number(), argument);
        } catch (LastErrorException e) {
            throw new ErrnoException("ioctl(" + request + ")", e.getErrorCode());
        }
    }

    @Override
    public int read(int fd, ByteBuffer into) throws ErrnoException {
        try {
            return (int) C.read(fd, into, into.capacity());
        } catch (LastErrorException e) {
            throw new ErrnoException("read", e.getErrorCode());
        }
    }

    @Override
    public int epollCreate() throws ErrnoException {
        try {
            return C.epoll_create1(EPOLL_CLOEXEC);
        } catch (LastErrorException e) {
            throw new ErrnoException("epoll_create1", e.getErrorCode());
        }
    }

    @Override
    public void epollAdd(int epollFd, int fd, long token) throws ErrnoException {
        EpollEvents event = new EpollEvents(1);
        event.set(0, EpollEvents.IN, token);
        try {
            C.epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, event.buffer());
        } catch (LastErrorException e) {
            throw new ErrnoException("epoll_ctl(ADD)", e.getErrorCode());
        }
    }

    @Override
    public void epollDelete(int epollFd, int fd) {
        try {
            C.epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, new EpollEvents(1).buffer());
        } catch (LastErrorException e) {
            // Already gone: closing an fd removes it from every epoll set.
        }
    }

    @Override
    public int epollWait(int epollFd, EpollEvents events, int timeoutMillis) throws ErrnoException {
        try {
            return C.epoll_wait(epollFd, events.buffer(), events.capacity(), timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ErrnoException.EINTR) {
                return 0;
            }
            throw new ErrnoException("epoll_wait", e.getErrorCode());
        }
    }

    @Override
    public int eventFd() throws ErrnoException {
        try {
            return C.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new ErrnoException("eventfd", e.getErrorCode());
        }
    }

    @Override
    public void signal(int fd) {
        ByteBuffer one = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
        one.putLong(0, 1L);
        try {
            C.write(fd, one, Long.BYTES);
        } catch (LastErrorException e) {
            // EAGAIN: the counter is already far from 0, so the fd is readable anyway.
        }
    }

    @Override
    public void drain(int fd) {
        try {
            C.read(fd, ByteBuffer.allocateDirect(Long.BYTES), Long.BYTES);
        } catch (LastErrorException e) {
            // EAGAIN: already 0.
        }
    }
}
