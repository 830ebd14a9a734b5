// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The seam between the GPIO backend and the kernel: every system call it makes,
 * and nothing else. {@link LinuxSyscalls} makes the real calls; unit tests put a
 * fake kernel behind this interface. Implementations are thread-safe.
 */
public interface Syscalls {

    /**
     * The GPIO character devices present, such as {@code /dev/gpiochip0}.
     *
     * @return their paths, sorted
     */
    List<String> chipPaths();

    /**
     * Opens a GPIO chip for reading and writing, close-on-exec.
     *
     * @param path such as {@code /dev/gpiochip0}
     * @return the file descriptor
     * @throws ErrnoException when {@code open(2)} fails
     */
    int open(String path) throws ErrnoException;

    /**
     * Closes a file descriptor; errors are ignored (the fd is gone either way).
     *
     * @param fd the descriptor
     */
    void close(int fd);

    /**
     * Calls {@code ioctl(2)} with a struct of the size the request number encodes.
     *
     * @param fd the chip or line request fd
     * @param request the ioctl
     * @param argument the struct's buffer
     * @throws ErrnoException when the kernel refuses
     */
    void ioctl(int fd, Ioctl request, ByteBuffer argument) throws ErrnoException;

    /**
     * Reads what is ready, up to the buffer's capacity; blocks when nothing is.
     *
     * @param fd the descriptor
     * @param into receives the bytes from position 0
     * @return the number of bytes read
     * @throws ErrnoException when {@code read(2)} fails
     */
    int read(int fd, ByteBuffer into) throws ErrnoException;

    /**
     * Creates an epoll instance, close-on-exec.
     *
     * @return its fd
     * @throws ErrnoException when {@code epoll_create1(2)} fails
     */
    int epollCreate() throws ErrnoException;

    /**
     * Watches an fd for input ({@code EPOLLIN}; errors and hang-ups are always reported).
     *
     * @param epollFd the epoll instance
     * @param fd the fd to watch
     * @param token returned with its events
     * @throws ErrnoException when {@code epoll_ctl(2)} fails
     */
    void epollAdd(int epollFd, int fd, long token) throws ErrnoException;

    /**
     * Stops watching an fd; errors are ignored (closing the fd stops it too).
     *
     * @param epollFd the epoll instance
     * @param fd the fd
     */
    void epollDelete(int epollFd, int fd);

    /**
     * Waits for events.
     *
     * @param epollFd the epoll instance
     * @param events receives them
     * @param timeoutMillis how long to wait at most, -1 for ever
     * @return how many events were stored, 0 on timeout or interruption by a signal
     * @throws ErrnoException when {@code epoll_wait(2)} fails
     */
    int epollWait(int epollFd, EpollEvents events, int timeoutMillis) throws ErrnoException;

    /**
     * Creates a non-blocking, close-on-exec eventfd, to wake an epoll wait.
     *
     * @return its fd
     * @throws ErrnoException when {@code eventfd(2)} fails
     */
    int eventFd() throws ErrnoException;

    /**
     * Adds 1 to an eventfd's counter, making it readable.
     *
     * @param fd the eventfd
     */
    void signal(int fd);

    /**
     * Resets an eventfd's counter to 0.
     *
     * @param fd the eventfd
     */
    void drain(int fd);
}
