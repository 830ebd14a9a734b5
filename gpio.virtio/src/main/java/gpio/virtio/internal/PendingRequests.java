// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import gpio.vhostuser.DescriptorChain;

/**
 * The requestq messages queued for one line, oldest first: each chain with the
 * message as the transport thread parsed it (type and value) and the
 * {@link System#nanoTime()} it was queued at, so that the watchdog can bound
 * every message by the time it has waited.
 *
 * <p>A circular buffer of parallel arrays: it grows (doubling) when full and
 * never shrinks, so once it has grown to the depth the guest uses, adding and
 * taking allocate nothing. Not thread-safe: the owning {@link LineQueue}
 * guards it with its monitor.
 */
final class PendingRequests {

    private static final int INITIAL_CAPACITY = 4;

    private DescriptorChain[] chains = new DescriptorChain[INITIAL_CAPACITY];
    private int[] types = new int[INITIAL_CAPACITY];
    private int[] values = new int[INITIAL_CAPACITY];
    private long[] queuedAt = new long[INITIAL_CAPACITY];
    private int head;
    private int size;

    /**
     * Appends a message.
     *
     * @param chain the chain to answer
     * @param type the message type from the request
     * @param value the value from the request
     * @param now when it was queued, a {@link System#nanoTime()}
     */
    void add(DescriptorChain chain, int type, int value, long now) {
        if (size == chains.length) {
            grow();
        }
        int tail = (head + size) & (chains.length - 1);
        chains[tail] = chain;
        types[tail] = type;
        values[tail] = value;
        queuedAt[tail] = now;
        size++;
    }

    /**
     * Whether no message is queued.
     *
     * @return {@code true} when empty
     */
    boolean isEmpty() {
        return size == 0;
    }

    /**
     * The oldest message's chain; only when not empty.
     *
     * @return the chain
     */
    DescriptorChain chain() {
        return chains[head];
    }

    /**
     * The oldest message's type; only when not empty.
     *
     * @return the {@code VIRTIO_GPIO_MSG_*} type
     */
    int type() {
        return types[head];
    }

    /**
     * The oldest message's value; only when not empty.
     *
     * @return the value
     */
    int value() {
        return values[head];
    }

    /**
     * When the oldest message was queued; only when not empty.
     *
     * @return a {@link System#nanoTime()}
     */
    long queuedAt() {
        return queuedAt[head];
    }

    /** Drops the oldest message; only when not empty. */
    void remove() {
        chains[head] = null; // the transport reuses chains: hold none longer than needed
        head = (head + 1) & (chains.length - 1);
        size--;
    }

    /** Drops every message. */
    void clear() {
        while (size > 0) {
            remove();
        }
    }

    private void grow() {
        int capacity = chains.length;
        DescriptorChain[] nextChains = new DescriptorChain[capacity * 2];
        int[] nextTypes = new int[capacity * 2];
        int[] nextValues = new int[capacity * 2];
        long[] nextQueuedAt = new long[capacity * 2];
        // Full: the oldest is at head and the messages wrap around the end.
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (capacity - 1);
            nextChains[i] = chains[from];
            nextTypes[i] = types[from];
            nextValues[i] = values[from];
            nextQueuedAt[i] = queuedAt[from];
        }
        chains = nextChains;
        types = nextTypes;
        values = nextValues;
        queuedAt = nextQueuedAt;
        head = 0;
    }
}
