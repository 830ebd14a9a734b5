// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One buffer the driver made available: a chain of descriptors, the
 * device-readable ones first, then the device-writable ones, seen as two
 * contiguous byte ranges whatever the descriptor layout (split over several
 * descriptors, or in an indirect table). Every access is checked against the
 * guest memory the frontend shared.
 *
 * <p>Implemented by the transport. The transport reuses chain objects: a device
 * must not touch a chain after completing it. Not thread-safe: one thread at a
 * time, though the device may hand a chain to another thread.
 */
@ProviderType
public interface DescriptorChain {

    /**
     * The total length of the device-readable part.
     *
     * @return the length in bytes
     */
    int readableLength();

    /**
     * The total length of the device-writable part.
     *
     * @return the length in bytes
     */
    int writableLength();

    /**
     * When the transport took this chain from the available ring, on the
     * {@link System#nanoTime()} clock. Read once for all the chains taken in one
     * pass over the ring, so that a device timing its requests from here (a
     * watchdog) needs no clock read of its own per request.
     *
     * @return the {@link System#nanoTime()} the chain was taken at
     * @since 1.4
     */
    long takenAt();

    /**
     * Copies readable bytes from {@code offset} into {@code dst} (from its
     * position, advancing it) until {@code dst} is full or the readable part ends.
     *
     * @param offset where in the readable part to start
     * @param dst where to copy to
     * @return the number of bytes copied
     */
    int read(int offset, ByteBuffer dst);

    /**
     * Copies {@code src} (from its position, advancing it) into the writable part
     * from {@code offset}, until {@code src} is empty or the writable part ends.
     *
     * @param offset where in the writable part to start
     * @param src the bytes to write
     * @return the number of bytes copied
     */
    int write(int offset, ByteBuffer src);

    /**
     * Returns the chain to the driver through the used ring, telling it how many
     * bytes the device wrote, and notifies the driver unless it suppressed
     * notifications. Callable from any thread; only the first call counts, and
     * a call after the rings were reset does nothing.
     *
     * @param writtenLength the number of bytes written to the writable part
     * @throws IllegalArgumentException when {@code writtenLength} exceeds
     *         {@link #writableLength()} or is negative
     */
    void complete(int writtenLength);

    /**
     * Writes {@code response} (from its position, advancing it) at the start of
     * the writable part and completes the chain with the bytes written, as
     * {@code complete(write(0, response))} would, but in one step: for the
     * short answer of a request, this costs the transport one synchronisation
     * where the two calls cost two. Callable from any thread; only the first
     * completion counts.
     *
     * @param response the bytes to write
     * @since 1.4
     */
    void completeWith(ByteBuffer response);
}
