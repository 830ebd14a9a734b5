// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;

/** The driver sequences with buffers in memory, on the device's real threads, over the simulator. */
class DriverSequencesInMemoryTest extends DriverSequences {

    private final Object chip = SimChips.create("sim0", NAMES);
    private final Object spare = SimChips.create("sim1", NAMES);
    private final DeviceLog log = new DeviceLog("in-memory");
    private final GpioDevice[] holder = new GpioDevice[1];
    private final DeviceThreads threads = new DeviceThreads("test", 2,
            () -> holder[0].expireStuckRequests(System.nanoTime()), Duration.ofMillis(100), log);
    private final GpioDevice device = new GpioDevice(
            new DeviceOptions(null, Map.of(), "vm", true, Duration.ofSeconds(5)), threads, log);
    private final Guest guest = new InMemoryGuest(device);

    DriverSequencesInMemoryTest() {
        holder[0] = device;
        device.setController((GpioController) chip);
        device.featuresNegotiated(device.offeredFeatures());
    }

    @AfterEach
    void stop() {
        device.reset();
        threads.close();
        SimChips.close(chip);
        SimChips.close(spare);
    }

    @Override
    GpioController swapToSpare() {
        device.setController((GpioController) spare);
        SimChips.close(chip); // the old chip goes away right after, as when its bundle stops
        return (GpioController) spare;
    }

    @Override
    GpioSimulator slowDown(Duration latency) {
        sim().setLatency(latency);
        return (GpioSimulator) spare;
    }

    @Override
    Guest guest() {
        return guest;
    }

    @Override
    GpioSimulator sim() {
        return (GpioSimulator) chip;
    }

    @Override
    GpioController controller() {
        return (GpioController) chip;
    }

    /** Hands in-memory chains to the device directly. */
    static final class InMemoryGuest implements Guest {
        private final GpioDevice device;

        InMemoryGuest(GpioDevice device) {
            this.device = device;
        }

        @Override
        public Pending submit(int type, int gpio, int value) {
            InMemoryChain chain = InMemoryChain.request(type, gpio, value);
            device.handle(VirtioGpio.REQUEST_QUEUE, chain);
            return () -> {
                chain.awaitCompletion(WAIT);
                if (chain.completions() != 1) {
                    throw new AssertionError("answered " + chain.completions() + " times");
                }
                return new int[] {chain.written(0), chain.written(1), chain.usedLength()};
            };
        }

        @Override
        public byte[] lineNames(int size) throws Exception {
            InMemoryChain chain = InMemoryChain.request(VirtioGpio.MSG_GET_LINE_NAMES, 0, 0, 1 + size);
            device.handle(VirtioGpio.REQUEST_QUEUE, chain);
            chain.awaitCompletion(WAIT);
            if (chain.usedLength() != 1 + size) {
                throw new AssertionError("used length " + chain.usedLength());
            }
            return chain.writtenBytes();
        }

        @Override
        public byte[] config() {
            ByteBuffer b = ByteBuffer.allocate(8);
            device.readConfig(0, b);
            return b.array();
        }

        @Override
        public Irq unmask(int gpio) {
            InMemoryChain chain = InMemoryChain.irq(gpio);
            device.handle(VirtioGpio.EVENT_QUEUE, chain);
            return new Irq() {
                @Override
                public boolean returned() {
                    return chain.completed();
                }

                @Override
                public int await() throws Exception {
                    chain.awaitCompletion(WAIT);
                    if (chain.usedLength() != 1) {
                        throw new AssertionError("used length " + chain.usedLength());
                    }
                    return chain.written(0);
                }
            };
        }
    }
}
