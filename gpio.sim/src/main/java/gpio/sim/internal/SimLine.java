// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import gpio.api.EdgeDetection;
import gpio.api.EdgeListener;
import gpio.api.EdgeSubscription;
import gpio.api.GpioException;
import gpio.api.GpioLine;
import gpio.api.LineSettings;

/**
 * A request of one simulated line. Holds no state of its own: the chip checks
 * that this handle still holds the line on every call, so a released or stale
 * handle fails with {@link GpioException.Reason#RELEASED}.
 */
final class SimLine implements GpioLine {

    private final SimChip chip;
    private final LineState line;
    /** The settings last applied; written by the chip under its lock, read by anyone. */
    volatile LineSettings settings;

    SimLine(SimChip chip, LineState line, LineSettings settings) {
        this.chip = chip;
        this.line = line;
        this.settings = settings;
    }

    @Override
    public int offset() {
        return line.offset;
    }

    @Override
    public LineSettings settings() {
        return settings;
    }

    @Override
    public boolean getValue() throws GpioException {
        return chip.getValue(line, this);
    }

    @Override
    public void setValue(boolean active) throws GpioException {
        chip.setValue(line, this, active);
    }

    @Override
    public void reconfigure(LineSettings settings) throws GpioException {
        chip.reconfigure(line, this, settings);
    }

    @Override
    public EdgeSubscription watchEdges(EdgeDetection edges, EdgeListener listener) throws GpioException {
        return chip.watchEdges(line, this, edges, listener);
    }

    @Override
    public void close() {
        chip.release(line, this);
    }

    @Override
    public String toString() {
        return "SimLine[" + chip.label() + ":" + line.offset + "]";
    }
}
