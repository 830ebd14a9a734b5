// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * The device under {@link GpioBenchmark}, in a JVM of its own so that its CPU
 * time and context switches are counted apart from the frontend's, as for the
 * reference backend: a simulated chip of {@code lines} lines, the transport, and
 * the virtio-gpio component serving it on {@code socket} with the default
 * settings (or {@code ring.poll.us} as given).
 *
 * <p>Prints {@code ready} once the socket listens. Then each line read on
 * standard input toggles the simulated input of the last line and prints the
 * {@link System#nanoTime()} taken just before (the clock is the machine's
 * monotonic one, shared by both processes), so the benchmark can time an edge
 * to its eventq completion. Ends at the end of its input.
 *
 * <p>Arguments: socket path, line count, ring.poll.us.
 */
final class BenchDevice {

    private BenchDevice() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int lines = Integer.parseInt(args[1]);
        int ringPollMicros = Integer.parseInt(args[2]);
        Logger.getLogger("").setLevel(Level.WARNING);
        String[] names = new String[lines];
        Arrays.fill(names, "");
        Object chip = SimChips.create("bench", names);
        VhostUserTransportComponent transport = new VhostUserTransportComponent();
        VirtioGpioComponent component = VirtioGpioComponentTest.activated(transport,
                VirtioGpioComponentTest.config(socket.toString(), "rw-------", "(gpio.label=bench)", "", "",
                        new String[0], 5000, 2, ringPollMicros),
                (GpioController) chip);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            out.println("ready");
            out.flush();
            GpioSimulator simulator = (GpioSimulator) chip;
            boolean level = false;
            while (in.readLine() != null) {
                level = !level;
                long at = System.nanoTime();
                simulator.setInput(lines - 1, level);
                out.println(at);
                out.flush();
            }
        } finally {
            component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
            transport.close();
            SimChips.close(chip);
        }
    }
}
