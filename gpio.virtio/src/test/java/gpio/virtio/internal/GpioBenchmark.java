// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * Measures the device through the real transport with the simulator:
 * GET_VALUE and SET_VALUE round trips with 1, 16 and 64 requests in flight
 * (one per line, as the Linux driver sends them), and the interrupt latency
 * from a simulated edge to the eventq buffer seen by the frontend. Prints a
 * table. Not a test: run with {@code mvn -B -pl gpio.virtio -am -Pbench verify}.
 */
final class GpioBenchmark {

    /** Lines driven by the round trips; one more line, an input, takes the interrupts. */
    private static final int LINES = 64;
    private static final int WARMUP = 5_000;
    private static final int MEASURED = 50_000;
    private static final int IRQ_ROUNDS = 2_000;

    private GpioBenchmark() {
    }

    /**
     * Runs the benchmark and prints the table.
     *
     * @param args none
     * @throws Exception when the device fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("gpio-bench");
        String[] names = new String[LINES + 1];
        Arrays.fill(names, "");
        Object chip = SimChips.create("bench", names);
        VhostUserTransportComponent transport = new VhostUserTransportComponent();
        Path socket = dir.resolve("bench.sock");
        VirtioGpioComponent component = VirtioGpioComponentTest.activated(transport,
                VirtioGpioComponentTest.config(socket.toString(), "rw-------", "(gpio.label=bench)", ""),
                (GpioController) chip);
        try (FrontendGuest guest = new FrontendGuest(socket, 256)) {
            for (int line = 0; line < LINES; line++) {
                guest.call(MSG_SET_DIRECTION, line, DIRECTION_OUT);
            }
            guest.call(MSG_SET_DIRECTION, LINES, DIRECTION_IN);
            StringBuilder table = new StringBuilder("\nmessage    depth   ops/s    mean us  p50 us  p99 us\n");
            for (int depth : new int[] {1, 16, 64}) {
                table.append(measure(guest, "GET_VALUE", MSG_GET_VALUE, depth, 0));
                table.append(measure(guest, "SET_VALUE", MSG_SET_VALUE, depth, 1));
            }
            table.append(irqLatency(guest, (GpioSimulator) chip));
            System.out.println(table);
        } finally {
            component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
            transport.close();
            SimChips.close(chip);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static String measure(Guest guest, String name, int type, int depth, int value) throws Exception {
        run(guest, type, depth, value, WARMUP, null);
        long[] latencies = new long[MEASURED];
        long start = System.nanoTime();
        run(guest, type, depth, value, MEASURED, latencies);
        long elapsed = System.nanoTime() - start;
        return row(name, depth, MEASURED * 1e9 / elapsed, latencies);
    }

    /** Keeps {@code depth} requests in flight, one per line, until {@code count} were answered. */
    private static void run(Guest guest, int type, int depth, int value, int count, long[] latencies)
            throws Exception {
        ArrayDeque<Guest.Pending> inFlight = new ArrayDeque<>();
        ArrayDeque<long[]> sentAt = new ArrayDeque<>();
        int sent = 0;
        for (; sent < depth; sent++) {
            inFlight.add(guest.submit(type, sent % depth, value));
            sentAt.add(new long[] {System.nanoTime(), sent % depth});
        }
        for (int done = 0; done < count; done++) {
            int[] answer = inFlight.poll().await();
            long[] meta = sentAt.poll();
            if (answer[0] != 0) {
                throw new AssertionError("ERR during the benchmark");
            }
            if (latencies != null) {
                latencies[done] = System.nanoTime() - meta[0];
            }
            if (sent < count) {
                inFlight.add(guest.submit(type, (int) meta[1], value));
                sentAt.add(new long[] {System.nanoTime(), meta[1]});
                sent++;
            }
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().await();
        }
    }

    private static String irqLatency(Guest guest, GpioSimulator sim) throws Exception {
        int line = LINES;
        guest.call(MSG_SET_IRQ_TYPE, line, IRQ_TYPE_EDGE_BOTH);
        long[] latencies = new long[IRQ_ROUNDS];
        boolean level = false;
        for (int i = 0; i < IRQ_ROUNDS; i++) {
            Guest.Irq irq = guest.unmask(line);
            level = !level;
            long start = System.nanoTime();
            sim.setInput(line, level);
            if (irq.await() != VirtioGpio.IRQ_STATUS_VALID) {
                throw new AssertionError("interrupt not VALID");
            }
            latencies[i] = System.nanoTime() - start;
        }
        return row("IRQ edge", 1, IRQ_ROUNDS * 1e9 / Arrays.stream(latencies).sum(), latencies);
    }

    private static String row(String name, int depth, double opsPerSecond, long[] latencies) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0) / 1000;
        return String.format(Locale.ROOT, "%-10s %5d %8.0f %9.1f %7.1f %7.1f%n", name, depth, opsPerSecond, mean,
                sorted[sorted.length / 2] / 1000.0, sorted[(int) (sorted.length * 0.99)] / 1000.0);
    }
}
