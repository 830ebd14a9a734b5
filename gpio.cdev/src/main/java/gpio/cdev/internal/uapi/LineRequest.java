// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;

/**
 * {@code struct gpio_v2_line_request}, passed to {@link Ioctl#GET_LINE}: the
 * offsets, the consumer name and the config in; the request's file descriptor out.
 */
public final class LineRequest extends KernelStruct {

    /** {@code sizeof(struct gpio_v2_line_request)}. */
    public static final int SIZE = 592;
    /** {@code GPIO_V2_LINES_MAX}. */
    public static final int MAX_LINES = 64;
    static final int CONFIG = 288;
    private static final int OFFSETS = 0;
    private static final int CONSUMER = 256;
    private static final int NUM_LINES = 560;
    private static final int EVENT_BUFFER_SIZE = 564;
    private static final int FD = 588;

    private final LineConfig config = new LineConfig(buffer(), CONFIG);

    /** A zeroed request. */
    public LineRequest() {
        super(SIZE);
    }

    /**
     * A view of a struct the kernel (or a fake of it) was given.
     *
     * @param buffer the buffer passed to the system call
     */
    public LineRequest(ByteBuffer buffer) {
        super(buffer, 0);
    }

    /**
     * Sets up a request for one line; fill {@link #config()} next.
     *
     * @param offset the chip offset of the line
     * @param consumer the consumer name, truncated to 31 bytes
     * @param eventBufferSize how many edge events the kernel keeps, 0 for its default
     */
    public void setSingleLine(int offset, String consumer, int eventBufferSize) {
        zero(SIZE);
        u32(OFFSETS, offset);
        name(CONSUMER, consumer);
        u32(NUM_LINES, 1);
        u32(EVENT_BUFFER_SIZE, eventBufferSize);
    }

    /** @return the embedded config */
    public LineConfig config() {
        return config;
    }

    /**
     * One requested offset.
     *
     * @param index 0 to {@link #lineCount()} - 1
     * @return the chip offset
     */
    public int offset(int index) {
        return u32(OFFSETS + index * Integer.BYTES);
    }

    /** @return the consumer name */
    public String consumer() {
        return name(CONSUMER);
    }

    /** @return the number of lines requested */
    public int lineCount() {
        return u32(NUM_LINES);
    }

    /** @return the file descriptor of the request, set by the kernel */
    public int fd() {
        return u32(FD);
    }

    /**
     * Sets the file descriptor, as the kernel does (for fakes).
     *
     * @param fd the descriptor
     */
    public void fd(int fd) {
        u32(FD, fd);
    }
}
