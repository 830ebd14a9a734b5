// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.time.Duration;
import java.util.Map;

/**
 * What the configuration asks of a device, checked.
 *
 * @param lineMap which controller line each guest line is, its name and policies
 * @param consumer the consumer name the device requests lines under
 * @param interrupts whether {@code VIRTIO_GPIO_F_IRQ} is offered
 * @param requestTimeout how long a controller call may take before the guest
 *        gets ERR
 */
record DeviceOptions(LineMap lineMap, String consumer, boolean interrupts, Duration requestTimeout) {

    /**
     * Options for lines of one controller without policies.
     *
     * @param lines the controller offsets of guest lines 0, 1, ...; {@code null}
     *        for every line of the first controller bound
     * @param names names that replace the controller's, by guest line
     * @param consumer the consumer name
     * @param interrupts whether interrupts are offered
     * @param requestTimeout the request timeout
     */
    DeviceOptions(int[] lines, Map<Integer, String> names, String consumer, boolean interrupts,
            Duration requestTimeout) {
        this(LineMap.plain(lines, names), consumer, interrupts, requestTimeout);
    }

    /**
     * The controller offsets of the guest lines.
     *
     * @return the offsets, {@code null} for every line of the first controller bound
     */
    int[] lines() {
        return lineMap.offsetArray();
    }

    /**
     * Names that replace the controller's.
     *
     * @return the names by guest line
     */
    Map<Integer, String> names() {
        return lineMap.names();
    }
}
