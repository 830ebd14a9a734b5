// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import gpio.itest.GatewayProcess;

/** What a gateway started on an empty data directory serves: simulator sim0 on {@code <data>/gpio0.sock}. */
final class DefaultSetup {

    static final String SIM = "sim0";
    /** The PID of the default device's configuration (factory PID gpio.virtio, name gpio0). */
    static final String DEVICE_PID = "gpio.virtio~gpio0";
    static final List<String> LINE_NAMES = List.of(
            "LED0", "LED1", "LED2", "LED3", "BUTTON0", "BUTTON1", "BUTTON2", "BUTTON3");

    private DefaultSetup() {
    }

    /**
     * The default device's socket path.
     *
     * @param dataDir the gateway's {@code gpio.data}
     * @return the path
     */
    static Path socket(Path dataDir) {
        return dataDir.resolve("gpio0.sock");
    }

    /**
     * Starts the gateway on {@code dataDir}, shows its output in the test's
     * transcript, and waits until the default device serves {@link #SIM}.
     *
     * @return the gateway
     */
    static GatewayProcess start(Path dataDir, Transcript transcript) throws IOException, InterruptedException {
        GatewayProcess gateway = GatewayProcess.start(dataDir);
        transcript.show("gateway", gateway::output);
        awaitServing(gateway, socket(dataDir), SIM);
        return gateway;
    }

    /**
     * Waits until the gateway's device on {@code socket} serves controller {@code label}.
     *
     * @param gateway the gateway
     * @param socket the device's socket
     * @param label the controller
     */
    static void awaitServing(GatewayProcess gateway, Path socket, String label) throws InterruptedException {
        gateway.awaitLine(line -> line.contains(socket + ": serving GPIO controller " + label),
                "that the device on " + socket + " serves " + label);
    }
}
