// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A virtio device as the transport sees it: identity, features, config space,
 * queues, and what to do with the buffers the driver makes available.
 *
 * <p>Implemented by device bundles; called by the transport.
 *
 * <p>Threading: the transport calls {@link #handle}, {@link #featuresNegotiated},
 * {@link #quiesce}, {@link #queueStarted}, {@link #queueClosed} and {@link #reset}
 * for one endpoint from one thread at a time,
 * never concurrently. The identity methods ({@link #deviceId()} to
 * {@link #readConfig}) may be called from any thread and must not block.
 */
@ConsumerType
public interface VirtioDevice {

    /**
     * The virtio device id (41 for GPIO).
     *
     * @return the id
     */
    int deviceId();

    /**
     * The virtio feature bits the device offers, including the transport
     * features it supports ({@code VIRTIO_F_VERSION_1}, and
     * {@code VIRTIO_RING_F_INDIRECT_DESC} / {@code VIRTIO_RING_F_EVENT_IDX}, which
     * the transport implements); the transport adds the vhost-user bit
     * ({@code VHOST_USER_F_PROTOCOL_FEATURES}) itself and leaves out the transport
     * bits it does not implement (such as {@code VIRTIO_F_RING_PACKED}).
     *
     * @return the offered feature bits
     */
    long offeredFeatures();

    /**
     * The number of virtqueues.
     *
     * @return at least 1
     */
    int queueCount();

    /**
     * The largest queue size the device accepts (a power of two up to 32768).
     *
     * @return the maximum number of descriptors per queue
     */
    int maxQueueSize();

    /**
     * The size of the config space in bytes.
     *
     * @return the size, 0 when the device has none
     */
    int configSize();

    /**
     * Copies config space bytes starting at {@code offset} into {@code dst}, from
     * its position to its limit. The transport checks that the window lies within
     * {@link #configSize()}.
     *
     * @param offset the first byte to copy
     * @param dst where to copy to
     */
    void readConfig(int offset, ByteBuffer dst);

    /**
     * The frontend set the negotiated features (a subset of
     * {@link #offeredFeatures()}); called before the first chain is handled.
     *
     * @param features the negotiated virtio feature bits
     */
    void featuresNegotiated(long features);

    /**
     * A chain the driver made available on queue {@code queueIndex}. The device
     * owns the chain until it calls {@link DescriptorChain#complete}: at once, or
     * later from any thread (as an eventq buffer is held until an interrupt).
     * This method must not block: slow work belongs on another thread.
     *
     * @param queueIndex the queue, from 0
     * @param chain the chain, valid until completed, until {@link #reset()}, or
     *        until the frontend stops its queue; completing a chain that is no
     *        longer valid does nothing
     */
    void handle(int queueIndex, DescriptorChain chain);

    /**
     * The frontend is about to stop queue {@code queueIndex} (GET_VRING_BASE, as
     * QEMU does whenever the VM stops running). Called on the endpoint thread
     * before the ring stops; it is not a reset. Before returning, the device
     * completes the chains of that queue it is carrying out (requests), so that
     * the index the transport returns is honest and nothing the guest sent is
     * lost; chains it keeps on purpose (buffers held until an event) stay valid
     * across the stop, and completing one while the ring is stopped is published
     * when the ring starts again. May block, for a bounded time. The default
     * completes nothing.
     *
     * @param queueIndex the queue, from 0
     * @since 1.1
     */
    default void quiesce(int queueIndex) {
    }

    /**
     * Queue {@code queueIndex} starts with a new session: its first start on a
     * connection, or a start on rings of a new driver (after {@link #reset()}).
     * Not called when a stopped ring resumes where it stopped. Called on the
     * endpoint thread before the first chain of the queue is handled. The
     * default does nothing.
     *
     * @param queueIndex the queue, from 0
     * @param ring where the ring is; {@link RingPosition#used()} is the used index
     *        in guest memory at the start
     * @since 1.2
     */
    default void queueStarted(int queueIndex, RingPosition ring) {
    }

    /**
     * The connection ends (the frontend disconnected, or the endpoint is
     * closed) while queue {@code queueIndex} has a session, started or stopped:
     * where the ring was left. Called on the endpoint thread before
     * {@link #reset()}, for each such queue; guest memory is not read. The
     * default does nothing.
     *
     * @param queueIndex the queue, from 0
     * @param ring where the ring was left; {@link RingPosition#used()} is the
     *        used index the device published last
     * @since 1.2
     */
    default void queueClosed(int queueIndex, RingPosition ring) {
    }

    /**
     * How long the transport goes on watching the rings of a connection after it
     * took the last buffer, before it sleeps until the next kick: a buffer the
     * driver adds meanwhile is taken without a kick and without waking a
     * thread, which lowers latency, and the driver is asked not to kick, which
     * saves it a notification, at the cost of one CPU kept busy for that time
     * after every burst of buffers. The transport asks after every batch; may be
     * called from the endpoint thread only and must not block. The default, 0,
     * never polls.
     *
     * @return the time in nanoseconds, 0 for none
     * @since 1.3
     */
    default long ringPollNanos() {
        return 0;
    }

    /**
     * The driver starts over: every chain the device still holds is void, and
     * completing it does nothing. The device returns to its initial state for the
     * next driver. The transport calls it when a frontend disconnects, on
     * RESET_DEVICE and RESET_OWNER, when a stopped ring restarts with rings of a
     * new driver (a guest reboot), and when new guest memory no longer holds the
     * rings. Stopping the rings (GET_VRING_BASE) alone is not a reset.
     */
    void reset();
}
