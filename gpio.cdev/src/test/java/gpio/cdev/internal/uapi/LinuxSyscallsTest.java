// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The real system calls on the build machine, which has no GPIO chip: errno
 * comes back, and epoll with an eventfd works as the poller uses it. (The GPIO
 * ioctls themselves run against a real kernel in KernelGuestTest.)
 */
class LinuxSyscallsTest {

    private final LinuxSyscalls syscalls = new LinuxSyscalls();

    @Test
    void reportsErrnoOfFailedCalls() throws Exception {
        ErrnoException missing = assertThrows(ErrnoException.class, () -> syscalls.open("/dev/no-such-gpiochip"));
        assertEquals(ErrnoException.ENOENT, missing.errno());
        assertEquals("open(/dev/no-such-gpiochip) failed: ENOENT (errno 2)", missing.getMessage());
        int notAChip = syscalls.open("/dev/null");
        try {
            ErrnoException notTty = assertThrows(ErrnoException.class,
                    () -> syscalls.ioctl(notAChip, Ioctl.GET_CHIPINFO, new ChipInfo().buffer()));
            assertEquals(ErrnoException.ENOTTY, notTty.errno());
        } finally {
            syscalls.close(notAChip);
        }
    }

    @Test
    void epollReportsASignalledEventFdWithItsToken() throws Exception {
        int epoll = syscalls.epollCreate();
        int wake = syscalls.eventFd();
        try {
            syscalls.epollAdd(epoll, wake, 77L);
            EpollEvents events = new EpollEvents(4);
            assertEquals(0, syscalls.epollWait(epoll, events, 0), "nothing ready yet");
            syscalls.signal(wake);
            assertEquals(1, syscalls.epollWait(epoll, events, 1000));
            assertEquals(77L, events.token(0));
            assertEquals(EpollEvents.IN, events.events(0) & EpollEvents.IN);
            syscalls.drain(wake);
            assertEquals(0, syscalls.epollWait(epoll, events, 0), "drained");
        } finally {
            syscalls.close(wake);
            syscalls.close(epoll);
        }
    }
}
