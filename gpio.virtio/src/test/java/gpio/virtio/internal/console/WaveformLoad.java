// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import gpio.api.GpioController;
import gpio.sim.GpioSimulator;
import gpio.sim.Step;
import gpio.sim.internal.SimChips;

/**
 * What the waveform of the GPIO page costs the gateway under load: a simulated
 * chip of 64 lines, each changing level every millisecond (1,000 changes per
 * second per line, 64,000 in all), measured as the process's CPU time over a
 * fixed period without the page, then with the page's requests (what the page
 * asks every second: {@code status.json} and the 10 s waveform of the chip),
 * plus the CPU time of the requests themselves. Prints the figures. Not a
 * test: run with {@code mvn -B -pl gpio.virtio -am -Pwaveform-load verify}.
 */
final class WaveformLoad {

    private static final int LINES = 64;
    private static final Duration CHANGE_EVERY = Duration.ofMillis(1);
    private static final Duration WARMUP = Duration.ofSeconds(5);
    private static final Duration PERIOD = Duration.ofSeconds(20);
    private static final Duration PAGE_REFRESH = Duration.ofSeconds(1);

    private WaveformLoad() {
    }

    /**
     * Runs the measurement and prints it.
     *
     * @param args none
     * @throws Exception when the view fails
     */
    public static void main(String[] args) throws Exception {
        String[] names = new String[LINES];
        for (int i = 0; i < LINES; i++) {
            names[i] = "L" + i;
        }
        Object chip = SimChips.create("load", names);
        GpioSimulator simulator = (GpioSimulator) chip;
        OperatorView view = new OperatorView(List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"),
                (GpioController) chip)), List.of(), new SimulatorBridge(List.of(simulator)), List::of);
        int steps = (int) (WARMUP.plus(PERIOD).plus(PERIOD).plusSeconds(5).toMillis() / CHANGE_EVERY.toMillis());
        List<Step> square = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            square.add(new Step(i % 2 == 0, CHANGE_EVERY));
        }
        try {
            for (int line = 0; line < LINES; line++) {
                simulator.play(line, square);
            }
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                    ManagementFactory.getThreadMXBean();
            pageFor(view, threads, WARMUP); // lets the JIT compile the page's path too

            int changesBefore = simulator.recording().size();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            waitUntil(start + PERIOD.toNanos());
            double without = share(os.getProcessCpuTime() - cpu, System.nanoTime() - start);

            cpu = os.getProcessCpuTime();
            start = System.nanoTime();
            PageCost page = pageFor(view, threads, PERIOD);
            double with = share(os.getProcessCpuTime() - cpu, System.nanoTime() - start);

            System.out.printf(Locale.ROOT, "waveform load: %d lines, a level change every %d ms on each"
                    + " (%d changes/s), recording of %d changes, %d s per phase, %d cores%n", LINES,
                    CHANGE_EVERY.toMillis(), LINES * 1000 / CHANGE_EVERY.toMillis(), changesBefore,
                    PERIOD.toSeconds(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "  process CPU without the page: %.1f %% of one core%n", 100 * without);
            System.out.printf(Locale.ROOT, "  process CPU with the page:    %.1f %% of one core (difference %.1f %%)%n",
                    100 * with, 100 * (with - without));
            System.out.printf(Locale.ROOT, "  the page's requests: %d rounds of status.json + waveform/10000.json,"
                    + " %.2f ms CPU per round (%.1f %% of one core at one round per second),"
                    + " waveform answer %d KiB%n", page.rounds(), page.cpuNanos() / 1e6 / page.rounds(),
                    100 * share(page.cpuNanos() / page.rounds(), PAGE_REFRESH.toNanos()), page.bytes() / 1024);
        } finally {
            SimChips.close(chip);
        }
    }

    /**
     * What the page asked over a period.
     *
     * @param rounds how many refreshes
     * @param cpuNanos the CPU time the requests took, in all
     * @param bytes the size of the last waveform answer
     */
    private record PageCost(int rounds, long cpuNanos, int bytes) {
    }

    /** Does what the open page does, once per refresh period, for {@code period}. */
    private static PageCost pageFor(OperatorView view, com.sun.management.ThreadMXBean threads, Duration period)
            throws Exception {
        long end = System.nanoTime() + period.toNanos();
        long next = System.nanoTime();
        int rounds = 0;
        long cpu = 0;
        int bytes = 0;
        while (next < end) {
            long before = threads.getCurrentThreadCpuTime();
            view.status();
            Answer waveform = view.api("GET", "/controllers/load/waveform/10000.json",
                    new ByteArrayInputStream(new byte[0]));
            cpu += threads.getCurrentThreadCpuTime() - before;
            if (waveform.status() != 200) {
                throw new AssertionError(waveform.body());
            }
            bytes = waveform.body().length();
            rounds++;
            next += PAGE_REFRESH.toNanos();
            waitUntil(next);
        }
        return new PageCost(rounds, cpu, bytes);
    }

    private static void waitUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static double share(long cpuNanos, long wallNanos) {
        return (double) cpuNanos / wallNanos;
    }
}
