// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.time.Duration;

/**
 * What a guest driver does with the device, whatever carries the buffers: in
 * memory or through the vhost-user transport.
 */
interface Guest {

    /** Waiting limit for any answer. */
    Duration WAIT = Duration.ofSeconds(10);

    /**
     * Sends one requestq message and waits for the answer.
     *
     * @return {status, value, used length}
     */
    default int[] call(int type, int gpio, int value) throws Exception {
        return submit(type, gpio, value).await();
    }

    /** Sends one requestq message without waiting. */
    Pending submit(int type, int gpio, int value) throws Exception;

    /** A message sent. */
    interface Pending {
        /** Waits for the answer: {status, value, used length}; fails if answered more than once. */
        int[] await() throws Exception;
    }

    /**
     * Sends GET_LINE_NAMES with a response buffer of {@code 1 + size} and waits.
     *
     * @return the status byte followed by the names block, as written
     */
    byte[] lineNames(int size) throws Exception;

    /** The config space. */
    byte[] config() throws Exception;

    /** Queues an eventq buffer pair for a line (unmasks its interrupt). */
    Irq unmask(int gpio) throws Exception;

    /** A queued eventq buffer. */
    interface Irq {
        /** Whether the device returned it. */
        boolean returned();

        /** Waits until returned; the irq status. */
        int await() throws Exception;
    }
}
