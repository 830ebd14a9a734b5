// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;

/**
 * The simulated chips as the operator surfaces drive them: a service of this
 * bundle's own ({@link SimulatorBridge}) while gpio.sim runs a chip, so that
 * the page, the HTTP API and their rendering never load a class of gpio.sim's
 * API and work unchanged on a gateway without it.
 */
public interface SimulatedChips {

    /**
     * The simulated chip of a label.
     *
     * @param label a controller label
     * @return the chip, {@code null} when no simulator has this label
     */
    Chip find(String label);

    /** One simulated chip: its levels, inputs and recording. */
    interface Chip {

        int lineCount();

        /** The level the line is at (driven by its consumer or from outside). */
        boolean level(int offset);

        /** The level driven from outside (the pull while nothing drives it). */
        boolean externalLevel(int offset);

        void setInput(int offset, boolean level);

        void writeVcd(Appendable out) throws IOException;

        void clearRecording();

        /**
         * The recording: every level change since its start, oldest first.
         *
         * @return a copy
         */
        Recording recording();
    }

    /**
     * A simulated chip's recording, in arrays of its own so that nothing of
     * gpio.sim's API leaks out of {@link SimulatorBridge}.
     *
     * @param startNanos since when every change is recorded ({@link System#nanoTime()})
     * @param nanos when each change happened
     * @param offsets the line of each change
     * @param levels the level after each change
     */
    record Recording(long startNanos, long[] nanos, int[] offsets, boolean[] levels) {
    }
}
