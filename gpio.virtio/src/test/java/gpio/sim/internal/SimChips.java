// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.time.Duration;

/**
 * Test access to the simulator's chip without a framework: the chip class is
 * private to the gpio.sim bundle, so this bridge sits in its package on the
 * test class path only.
 */
public final class SimChips {

    private SimChips() {
    }

    /**
     * A running simulated chip, both controller and simulator.
     *
     * @param label the label
     * @param names the line names, one per line
     * @return the chip; close it with {@link #close}
     */
    public static Object create(String label, String... names) {
        return new SimChip(SimConfig.of(label, names.length, names, null, Duration.ZERO, 100_000));
    }

    /**
     * Takes a chip away, as when its component is deactivated.
     *
     * @param chip a chip from {@link #create}
     */
    public static void close(Object chip) {
        ((SimChip) chip).close();
    }
}
