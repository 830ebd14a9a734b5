// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

/**
 * An array of {@code struct epoll_event} for {@link Syscalls#epollWait}. On
 * x86_64 the struct is packed: a 32-bit event mask then the 64-bit user data
 * (here a token chosen by the caller of {@link Syscalls#epollAdd}).
 */
public final class EpollEvents extends KernelStruct {

    /** {@code sizeof(struct epoll_event)} on x86_64. */
    public static final int SIZE = 12;
    /** {@code EPOLLIN}. */
    public static final int IN = 0x001;
    /** {@code EPOLLERR}. */
    public static final int ERR = 0x008;
    /** {@code EPOLLHUP}. */
    public static final int HUP = 0x010;

    private final int capacity;

    /**
     * Room for some events.
     *
     * @param capacity how many events one wait can return
     */
    public EpollEvents(int capacity) {
        super(capacity * SIZE);
        this.capacity = capacity;
    }

    /** @return how many events one wait can return */
    public int capacity() {
        return capacity;
    }

    /**
     * @param index event index
     * @return the {@code EPOLL*} bits of the event
     */
    public int events(int index) {
        return u32(index * SIZE);
    }

    /**
     * @param index event index
     * @return the token the fd was added with
     */
    public long token(int index) {
        return u64(index * SIZE + Integer.BYTES);
    }

    /**
     * Sets one event, as the kernel does (for fakes).
     *
     * @param index event index
     * @param eventBits {@code EPOLL*} bits
     * @param token the fd's token
     */
    public void set(int index, int eventBits, long token) {
        u32(index * SIZE, eventBits);
        u64(index * SIZE + Integer.BYTES, token);
    }
}
