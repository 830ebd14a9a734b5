// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.IOException;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import gpio.sim.GpioSimulator;
import gpio.sim.LevelChange;

/**
 * Offers the {@link GpioSimulator} services as {@link SimulatedChips}. The only
 * class of this bundle that uses gpio.sim's API, which the bundle imports
 * optionally: it needs at least one simulator, so without gpio.sim it is never
 * satisfied and never loaded.
 */
@Component(service = SimulatedChips.class)
public final class SimulatorBridge implements SimulatedChips {

    // Dynamic: the list is replaced whole, so a lookup works on one consistent snapshot.
    @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<GpioSimulator> simulators;

    /** For DS. */
    public SimulatorBridge() {
    }

    /** For tests: the given simulators. */
    SimulatorBridge(List<GpioSimulator> simulators) {
        this.simulators = simulators;
    }

    @Override
    public Chip find(String label) {
        for (GpioSimulator simulator : simulators) {
            if (simulator.label().equals(label)) {
                return new Chip() {
                    @Override
                    public int lineCount() {
                        return simulator.lineCount();
                    }

                    @Override
                    public boolean level(int offset) {
                        return simulator.level(offset);
                    }

                    @Override
                    public boolean externalLevel(int offset) {
                        return simulator.externalLevel(offset);
                    }

                    @Override
                    public void setInput(int offset, boolean level) {
                        simulator.setInput(offset, level);
                    }

                    @Override
                    public void writeVcd(Appendable out) throws IOException {
                        simulator.writeVcd(out);
                    }

                    @Override
                    public void clearRecording() {
                        simulator.clearRecording();
                    }

                    @Override
                    public Recording recording() {
                        // The changes first: a change folded out meanwhile moves the start past some of them,
                        // and every change taken is real, so the earlier of the two is where it starts.
                        List<LevelChange> changes = simulator.recording();
                        long start = simulator.recordingStartNanos();
                        long[] nanos = new long[changes.size()];
                        int[] offsets = new int[nanos.length];
                        boolean[] levels = new boolean[nanos.length];
                        for (int i = 0; i < nanos.length; i++) {
                            LevelChange change = changes.get(i);
                            nanos[i] = change.timestampNanos();
                            offsets[i] = change.offset();
                            levels[i] = change.level();
                        }
                        return new Recording(nanos.length == 0 ? start : Math.min(start, nanos[0]), nanos, offsets,
                                levels);
                    }
                };
            }
        }
        return null;
    }
}
