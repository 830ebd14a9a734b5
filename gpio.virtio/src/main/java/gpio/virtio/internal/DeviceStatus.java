// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What an operator sees of one running device. Each {@code gpio.virtio}
 * component registers itself under this interface, so the web console page and
 * the shell commands of this bundle find every device; the package is private
 * to the bundle, so nothing outside can use it. The registration carries the
 * device's configuration as service properties ({@code socket.path},
 * {@code controller.target}, ...).
 *
 * <p>Implemented by the device component. Thread-safe.
 */
public interface DeviceStatus {

    /**
     * The device's state now.
     *
     * @return a snapshot
     */
    Snapshot status();

    /**
     * What the device saw of each guest line (levels set and read, edges,
     * interrupts delivered), for the waveform of the GPIO page.
     *
     * @return the histories, in guest order; none for a device that serves no line
     */
    default List<LineHistory> lineHistories() {
        return List.of();
    }

    /**
     * One device at one moment.
     *
     * @param socketPath the socket the device listens on
     * @param connected whether a frontend (QEMU) is connected
     * @param negotiatedFeatures the virtio feature bits the frontend negotiated, 0 when none
     * @param controller the labels of the bound GPIO controllers, comma-separated, empty when none is bound
     * @param lineCount the number of lines the guest sees, 0 before a controller was first bound
     * @param counters what the device has done since it started
     * @param interruptLines the guest lines whose interrupt the guest enabled
     * @param lines every guest line: its controller line, name and policies
     */
    record Snapshot(String socketPath, boolean connected, long negotiatedFeatures, String controller, int lineCount,
            DeviceCounters.Snapshot counters, List<GuestLine> interruptLines, List<MappedLine> lines) {

        /**
         * The negotiated features by name, as the virtio spec calls them.
         *
         * @return the names, lowest bit first
         */
        public List<String> features() {
            List<String> names = new ArrayList<>();
            if ((negotiatedFeatures & VirtioGpio.F_IRQ) != 0) {
                names.add("VIRTIO_GPIO_F_IRQ");
            }
            if ((negotiatedFeatures & VirtioGpio.F_RING_INDIRECT_DESC) != 0) {
                names.add("VIRTIO_RING_F_INDIRECT_DESC");
            }
            if ((negotiatedFeatures & VirtioGpio.F_RING_EVENT_IDX) != 0) {
                names.add("VIRTIO_RING_F_EVENT_IDX");
            }
            if ((negotiatedFeatures & VirtioGpio.F_VERSION_1) != 0) {
                names.add("VIRTIO_F_VERSION_1");
            }
            return names;
        }
    }

    /**
     * Which controller line a guest line is, and the operator's policy for it.
     *
     * @param line the guest line number
     * @param controller the label of its controller: the configured label of a
     *        composed chip, else the bound controller's, empty when none is bound
     * @param bound whether that controller is bound now
     * @param offset the controller line offset
     * @param name the name the guest is given, empty for none
     * @param readOnly whether the guest may not drive it
     * @param safeState its safe state: release, hold, low or high
     */
    record MappedLine(int line, String controller, boolean bound, int offset, String name, boolean readOnly,
            String safeState) {
    }

    /**
     * One line as the guest sees it.
     *
     * @param line the guest line number
     * @param offset the controller line offset it maps to
     * @param interrupt the interrupt type the guest set: none, edge-rising,
     *        edge-falling, edge-both, level-high or level-low
     */
    record GuestLine(int line, int offset, String interrupt) {

        /** The {@link #interrupt()} of a line whose interrupt is disabled. */
        static final String NO_INTERRUPT = "none";

        /**
         * The name of a {@code VIRTIO_GPIO_IRQ_TYPE_*} value.
         *
         * @param irqType the value
         * @return its name as {@link #interrupt()} shows it
         */
        static String interruptName(int irqType) {
            switch (irqType) {
                case VirtioGpio.IRQ_TYPE_EDGE_RISING:
                    return "edge-rising";
                case VirtioGpio.IRQ_TYPE_EDGE_FALLING:
                    return "edge-falling";
                case VirtioGpio.IRQ_TYPE_EDGE_BOTH:
                    return "edge-both";
                case VirtioGpio.IRQ_TYPE_LEVEL_HIGH:
                    return "level-high";
                case VirtioGpio.IRQ_TYPE_LEVEL_LOW:
                    return "level-low";
                default:
                    return NO_INTERRUPT;
            }
        }
    }
}
