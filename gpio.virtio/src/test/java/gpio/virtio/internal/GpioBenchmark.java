// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_IRQ_TYPE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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
 *
 * <p>With {@code -Dbench.reference=<path of vhost-device-gpio>} (built by
 * {@code gpio.virtio/bench/build-reference.sh}), it also starts the rust-vmm
 * reference backend with its mock GPIO and runs the same GET_VALUE rounds
 * against it through the same frontend, alternating with this device round by
 * round, and reports for both the backend's CPU time per request: the
 * reference process's, and for this device the JVM's minus the frontend
 * thread's (so the JVM's own GC and JIT threads count against the device).
 */
final class GpioBenchmark {

    /** Lines driven by the round trips; one more line, an input, takes the interrupts. */
    private static final int LINES = 64;
    private static final int WARMUP = 5_000;
    private static final int MEASURED = 50_000;
    private static final int IRQ_ROUNDS = 2_000;
    /** Alternating rounds of each backend per depth in the side-by-side. */
    private static final int SIDE_BY_SIDE_ROUNDS = 3;
    /**
     * Requests per side-by-side round: enough for CPU times, which /proc counts
     * in 10 ms ticks, to be a few per cent accurate at depth 64.
     */
    private static final int SIDE_BY_SIDE_MEASURED = 200_000;
    /** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

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
            String reference = System.getProperty("reference", "");
            if (!reference.isEmpty()) {
                System.out.println(sideBySide(guest, Path.of(reference), dir));
            }
        } finally {
            component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
            transport.close();
            SimChips.close(chip);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static String measure(Guest guest, String name, int type, int depth, int value) throws Exception {
        return measure(guest, name, type, depth, value, MEASURED, () -> 0).row;
    }

    /** A round's figures and the backend CPU it cost. */
    private record Round(String row, double cpuMicrosPerRequest) {
    }

    private static Round measure(Guest guest, String name, int type, int depth, int value, int count,
            CpuClock backendCpu) throws Exception {
        run(guest, type, depth, value, WARMUP, null);
        long[] latencies = new long[count];
        double cpuBefore = backendCpu.seconds();
        long start = System.nanoTime();
        run(guest, type, depth, value, count, latencies);
        long elapsed = System.nanoTime() - start;
        double cpuMicros = (backendCpu.seconds() - cpuBefore) * 1e6 / count;
        return new Round(row(name, depth, count * 1e9 / elapsed, latencies), cpuMicros);
    }

    /** CPU seconds a backend has used so far. */
    private interface CpuClock {
        double seconds() throws IOException;
    }

    /**
     * GET_VALUE rounds on this device and on the reference backend, alternating,
     * so that both see the same machine load.
     */
    private static String sideBySide(Guest ours, Path referenceBinary, Path dir) throws Exception {
        Path socket = dir.resolve("reference.sock");
        // The reference appends the guest's index to the socket path; "s65" is
        // its mock GPIO chip with as many lines as this device has.
        Process reference = new ProcessBuilder(referenceBinary.toString(), "-s", socket.toString(), "-l",
                "s" + (LINES + 1)).redirectErrorStream(true).redirectOutput(dir.resolve("reference.log").toFile())
                .start();
        Path referenceSocket = dir.resolve("reference.sock0");
        try {
            Await.until("the reference's socket", () -> Files.exists(referenceSocket));
            try (FrontendGuest theirs = new FrontendGuest(referenceSocket, 256)) {
                // As the Linux driver's direction_output: the value first (the
                // reference refuses an output without one), then the direction.
                for (int line = 0; line < LINES; line++) {
                    expectOk(theirs.call(MSG_SET_VALUE, line, 0), "SET_VALUE");
                    expectOk(theirs.call(MSG_SET_DIRECTION, line, DIRECTION_OUT), "SET_DIRECTION");
                }
                CpuClock referenceCpu = () -> processCpuSeconds(reference.pid());
                long frontendThread = Thread.currentThread().getId();
                CpuClock ourCpu = () -> processCpuSeconds(ProcessHandle.current().pid())
                        - ManagementFactory.getThreadMXBean().getThreadCpuTime(frontendThread) / 1e9;
                // The machine is shared: its load average says what else ran.
                StringBuilder table = new StringBuilder("\nside by side, GET_VALUE, " + SIDE_BY_SIDE_MEASURED
                        + " requests a round, load average " + loadAverage()
                        + "\nbackend    depth   ops/s    mean us  p50 us  p99 us  cpu us/req\n");
                for (int depth : new int[] {1, 16, 64}) {
                    for (int round = 0; round < SIDE_BY_SIDE_ROUNDS; round++) {
                        table.append(withCpu(
                                measure(ours, "vgpio", MSG_GET_VALUE, depth, 0, SIDE_BY_SIDE_MEASURED, ourCpu)));
                        table.append(withCpu(measure(theirs, "reference", MSG_GET_VALUE, depth, 0,
                                SIDE_BY_SIDE_MEASURED, referenceCpu)));
                    }
                }
                return table.append("load average after: ").append(loadAverage()).toString();
            }
        } finally {
            reference.destroy();
            reference.waitFor();
            Files.deleteIfExists(referenceSocket);
            Files.deleteIfExists(dir.resolve("reference.log"));
        }
    }

    private static void expectOk(int[] answer, String what) {
        if (answer[0] != 0) {
            throw new AssertionError(what + " answered status " + answer[0] + " by the reference");
        }
    }

    private static String withCpu(Round round) {
        return round.row.stripTrailing() + String.format(Locale.ROOT, " %11.2f%n", round.cpuMicrosPerRequest);
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** utime + stime of a process, from /proc/PID/stat (fields 14 and 15; the name in field 2 may hold spaces). */
    private static double processCpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /** Keeps {@code depth} requests in flight, one per line, until {@code count} were answered. */
    private static void run(Guest guest, int type, int depth, int value, int count, long[] latencies)
            throws Exception {
        ArrayDeque<Guest.Pending> inFlight = new ArrayDeque<>();
        ArrayDeque<long[]> sentAt = new ArrayDeque<>();
        int sent = 0;
        // The clock is read before submit: the kick inside it may already have
        // let the backend answer by the time it returns.
        for (; sent < depth; sent++) {
            sentAt.add(new long[] {System.nanoTime(), sent % depth});
            inFlight.add(guest.submit(type, sent % depth, value));
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
                sentAt.add(new long[] {System.nanoTime(), meta[1]});
                inFlight.add(guest.submit(type, (int) meta[1], value));
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
