// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.time.Duration;
import java.util.Map;

import gpio.api.GpioController;

/**
 * A device on its real worker threads and watchdog, as the component runs it,
 * with a short watchdog period for tests.
 */
final class ThreadedDevice implements AutoCloseable {

    /** How often the watchdog runs in tests (the component uses 100 ms). */
    static final Duration WATCHDOG_PERIOD = Duration.ofMillis(20);

    private final GpioDevice device;
    private final DeviceThreads threads;

    ThreadedDevice(String name, int workers, Duration requestTimeout, GpioController controller) {
        this(name, workers, new DeviceOptions(null, Map.of(), "vm", true, requestTimeout), controller);
    }

    /**
     * A device with the line map of {@code options}, one controller per source
     * of the map, in order.
     */
    ThreadedDevice(String name, int workers, DeviceOptions options, GpioController... controllers) {
        DeviceLog log = new DeviceLog(name);
        GpioDevice[] created = new GpioDevice[1];
        threads = new DeviceThreads(name, workers, () -> created[0].expireStuckRequests(System.nanoTime()),
                WATCHDOG_PERIOD, log);
        device = new GpioDevice(options, threads, log);
        created[0] = device;
        for (int source = 0; source < controllers.length; source++) {
            device.setController(source, controllers[source]);
        }
        device.featuresNegotiated(device.offeredFeatures());
    }

    GpioDevice device() {
        return device;
    }

    DeviceThreads threads() {
        return threads;
    }

    /** Releases every line, as a disconnect does, and stops the threads. */
    @Override
    public void close() {
        device.reset();
        threads.close();
    }
}
