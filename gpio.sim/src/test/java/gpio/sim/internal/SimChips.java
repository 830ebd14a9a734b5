// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.time.Duration;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;

/** Makes simulated chips for tests of other internal packages. */
public final class SimChips {

    private SimChips() {
    }

    /**
     * A chip and its two faces.
     *
     * @param controller what consumers use
     * @param simulator what tests drive
     * @param chip the chip, to close
     */
    public record Chip(GpioController controller, GpioSimulator simulator, SimChip chip) {
        public void close() {
            chip.close();
        }
    }

    public static Chip create(String label, int lineCount, String[] names) {
        SimChip chip = new SimChip(SimConfig.of(label, lineCount, names, null, Duration.ZERO, 1000));
        return new Chip(chip, chip, chip);
    }
}
