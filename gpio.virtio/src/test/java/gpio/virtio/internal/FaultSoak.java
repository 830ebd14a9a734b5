// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_GET_VALUE;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_DIRECTION;
import static gpio.virtio.internal.VirtioGpio.MSG_SET_VALUE;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.api.GpioException;
import gpio.sim.GpioSimulator;
import gpio.sim.internal.SimChips;
import gpio.vhostuser.frontend.VhostUserFrontend;
import gpio.vhostuser.internal.VhostUserTransportComponent;

/**
 * A bounded fault soak: several devices over the real transport, two simulated
 * controllers, and for a fixed number of rounds (fixed seed) one of: normal
 * traffic, a frontend that disconnects with requests in flight, a frontend that
 * shrinks its guest memory under the device, controller calls stalled beyond
 * {@code request.timeout.ms}, failing controller calls, a backend swap, a
 * configuration change that restarts the device, and one that is refused.
 *
 * <p>It fails when a request on a connection that stayed open was not answered
 * exactly once, when a device stops serving, or when the gateway's threads,
 * open fds or heap after a full GC do not come back to where they were after the
 * warm-up. Not a test: it runs after the benchmark in {@code mvn -B -pl gpio.virtio -am -Pbench verify}; an
 * argument gives the number of rounds.
 */
final class FaultSoak {

    private static final int DEVICES = 3;
    private static final int LINES = 8;
    private static final int DEFAULT_ROUNDS = 400;
    private static final long SEED = 20261204L;
    private static final int TIMEOUT_MILLIS = 200;
    /** How long the answer to a stalled call may take beyond the timeout (watchdog period and scheduling). */
    private static final Duration STALL_MARGIN = Duration.ofMillis(400);
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Heap growth after a full GC that still counts as "back where it started". */
    private static final long HEAP_SLACK_BYTES = 4L << 20;

    private enum Fault { TRAFFIC, DISCONNECT, SHRINK, STALL, FAIL, SWAP, RESTART, REFUSED }

    private final Path dir;
    private final Random random = new Random(SEED);
    private final VhostUserTransportComponent transport = new VhostUserTransportComponent();
    private final Object[] chips = new Object[2];
    private final VirtioGpioComponent[] devices = new VirtioGpioComponent[DEVICES];
    private final int[] boundChip = new int[DEVICES];
    private final FrontendGuest[] guests = new FrontendGuest[DEVICES];
    private final int[] faults = new int[Fault.values().length];
    private long answered;
    private long errors;

    private FaultSoak(Path dir) throws IOException {
        this.dir = dir;
        for (int i = 0; i < chips.length; i++) {
            String[] names = new String[LINES];
            for (int line = 0; line < LINES; line++) {
                names[line] = "S" + i + "L" + line;
            }
            chips[i] = SimChips.create("soak" + i, names);
        }
        for (int d = 0; d < DEVICES; d++) {
            boundChip[d] = d % chips.length;
            devices[d] = VirtioGpioComponentTest.activated(transport, config(d, 2), controller(boundChip[d]));
        }
    }

    /**
     * Runs the soak and prints what it did and the resource figures.
     *
     * @param args the number of rounds, optional
     * @throws Exception when the soak fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ROUNDS;
        Path dir = Files.createTempDirectory("gpio-soak");
        FaultSoak soak = new FaultSoak(dir);
        try {
            // One round of every fault first, so that what is made once and kept (JIT, pools,
            // the simulators' threads) exists before the baseline is taken.
            for (Fault fault : Fault.values()) {
                soak.round(fault, 0);
            }
            soak.restoreConfigurations();
            Resources before = soak.settled(null);
            long start = System.nanoTime();
            Fault[] all = Fault.values();
            for (int round = 0; round < rounds; round++) {
                soak.round(all[soak.random.nextInt(all.length)], soak.random.nextInt(DEVICES));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            soak.everyDeviceServes();
            soak.restoreConfigurations();
            Resources after = soak.settled(before);
            System.out.println(soak.report(rounds, seconds, before, after));
        } finally {
            soak.close();
            Files.deleteIfExists(dir);
        }
    }

    private void round(Fault fault, int device) throws Exception {
        faults[fault.ordinal()]++;
        switch (fault) {
            case TRAFFIC -> traffic(device, 4 + random.nextInt(28));
            case DISCONNECT -> disconnectWithRequestsInFlight(device);
            case SHRINK -> shrinkGuestMemory(device);
            case STALL -> stall(device);
            case FAIL -> failNextCall(device);
            case SWAP -> swap(device);
            case RESTART -> restart(device);
            case REFUSED -> refusedChange(device);
            default -> throw new IllegalStateException(fault.name());
        }
    }

    private FrontendGuest guest(int device) throws Exception {
        if (guests[device] == null) {
            guests[device] = new FrontendGuest(socket(device), 64);
        }
        return guests[device];
    }

    private void drop(int device) {
        if (guests[device] != null) {
            guests[device].close();
            guests[device] = null;
        }
    }

    /** Requests on every line; each must be answered exactly once (FrontendGuest fails on a second answer). */
    private void traffic(int device, int count) throws Exception {
        FrontendGuest guest = guest(device);
        List<Guest.Pending> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int line = i % LINES;
            pending.add(switch (i / LINES % 4) {
                case 0 -> guest.submit(MSG_SET_DIRECTION, line, DIRECTION_OUT);
                case 1 -> guest.submit(MSG_SET_VALUE, line, random.nextInt(2));
                case 2 -> guest.submit(MSG_GET_VALUE, line, 0);
                default -> guest.submit(MSG_GET_DIRECTION, line, 0);
            });
        }
        for (Guest.Pending p : pending) {
            settle(p.await());
        }
        if (guest.outstandingRequests() != 0) {
            throw new AssertionError("device " + device + " holds requests it answered already");
        }
    }

    private void settle(int[] answer) {
        answered++;
        if (answer[0] != 0) {
            errors++;
        }
    }

    private void disconnectWithRequestsInFlight(int device) throws Exception {
        FrontendGuest guest = guest(device);
        for (int i = 0; i < 1 + random.nextInt(16); i++) {
            guest.submit(MSG_GET_VALUE, i % LINES, 0);
        }
        drop(device);
    }

    /**
     * Truncates the guest memory file under the device, then has the device
     * read its rings: the access faults, the device drops the connection, and the
     * next frontend is served.
     */
    private void shrinkGuestMemory(int device) throws Exception {
        FrontendGuest guest = guest(device);
        settle(guest.call(MSG_GET_VALUE, 0, 0));
        VhostUserFrontend frontend = guest.frontend();
        frontend.memory().truncate(0);
        try {
            // Re-enabling the ring makes the device look at it; the frontend itself no longer may.
            frontend.vringState(VhostUserFrontend.SET_VRING_ENABLE, VirtioGpio.REQUEST_QUEUE, 1);
        } catch (IOException expected) {
            // The device dropped the connection before it could answer.
        }
        if (!frontend.awaitClosedByBackend((int) SETTLE.toMillis())) {
            throw new AssertionError("device " + device + " kept a connection whose memory faults");
        }
        drop(device);
    }

    private void stall(int device) throws Exception {
        GpioSimulator sim = simulator(boundChip[device]);
        FrontendGuest guest = guest(device);
        sim.setLatency(Duration.ofMillis(TIMEOUT_MILLIS * 3L));
        try {
            List<Guest.Pending> pending = new ArrayList<>();
            for (int line = 0; line < LINES; line++) {
                pending.add(guest.submit(MSG_GET_VALUE, line, 0));
            }
            long deadline = System.nanoTime() + Duration.ofMillis(TIMEOUT_MILLIS).plus(STALL_MARGIN).toNanos();
            for (Guest.Pending p : pending) {
                settle(p.await());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("stalled calls on device " + device + " were not answered within "
                        + TIMEOUT_MILLIS + " ms + " + STALL_MARGIN.toMillis() + " ms");
            }
        } finally {
            sim.setLatency(Duration.ZERO);
        }
    }

    private void failNextCall(int device) throws Exception {
        int line = random.nextInt(LINES);
        simulator(boundChip[device]).failNext(line, GpioException.Reason.IO);
        FrontendGuest guest = guest(device);
        settle(guest.call(MSG_SET_DIRECTION, line, DIRECTION_OUT));
        settle(guest.call(MSG_SET_VALUE, line, 1));
        simulator(boundChip[device]).clearFaults(line);
    }

    /** As SCR swaps a greedy dynamic reference: the new controller is bound before the old is unbound. */
    private void swap(int device) throws Exception {
        int old = boundChip[device];
        int next = (old + 1) % chips.length;
        devices[device].bindController(controller(next));
        devices[device].unbindController(controller(old));
        boundChip[device] = next;
        traffic(device, LINES);
    }

    private void restart(int device) throws Exception {
        devices[device].modified(config(device, 1 + random.nextInt(3)));
        drop(device);
        traffic(device, LINES);
    }

    private void refusedChange(int device) throws Exception {
        FrontendGuest guest = guest(device);
        VirtioGpioConfiguration missingDirectory = VirtioGpioComponentTest.config(
                dir.resolve("missing").resolve("d" + device + ".sock").toString(), "rw-------", "(gpio.label=*)", "",
                TIMEOUT_MILLIS, 3);
        devices[device].modified(missingDirectory);
        settle(guest.call(MSG_GET_VALUE, 0, 0));
    }

    /** Every device back at its first configuration, so that the worker threads compare. */
    private void restoreConfigurations() {
        for (int d = 0; d < DEVICES; d++) {
            drop(d);
            devices[d].modified(config(d, 2));
        }
    }

    private void everyDeviceServes() throws Exception {
        for (int d = 0; d < DEVICES; d++) {
            drop(d);
            traffic(d, LINES * 4);
            drop(d);
        }
    }

    private VirtioGpioConfiguration config(int device, int workers) {
        return VirtioGpioComponentTest.config(socket(device).toString(), "rw-------", "(gpio.label=*)", "",
                TIMEOUT_MILLIS, workers);
    }

    private Path socket(int device) {
        return dir.resolve("d" + device + ".sock");
    }

    private GpioController controller(int chip) {
        return (GpioController) chips[chip];
    }

    private GpioSimulator simulator(int chip) {
        return (GpioSimulator) chips[chip];
    }

    /** Threads, open fds and heap after a full GC, each time with every frontend gone. */
    private record Resources(Set<String> threads, int fds, long heap) {
    }

    /**
     * Disconnects every frontend and waits until the resources are back at
     * {@code baseline} (or, without one, until they are steady), then measures them.
     */
    private Resources settled(Resources baseline) throws Exception {
        for (int d = 0; d < DEVICES; d++) {
            drop(d);
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Resources now = measure();
        while (baseline != null && !backAt(baseline, now)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("resources did not come back within " + SETTLE + ": before " + baseline
                        + ", after " + now);
            }
            Thread.sleep(100); // polling with a deadline: stalled calls finish, threads end
            now = measure();
        }
        return now;
    }

    private static boolean backAt(Resources baseline, Resources now) {
        return now.threads.size() <= baseline.threads.size() && now.fds <= baseline.fds
                && now.heap <= baseline.heap + HEAP_SLACK_BYTES;
    }

    private static Resources measure() throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Set<String> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        int fds;
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            fds = (int) open.count();
        }
        return new Resources(threads, fds, heap);
    }

    private String report(int rounds, double seconds, Resources before, Resources after) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%nfault soak: %d devices, %d rounds in %.1f s (seed %d, request.timeout.ms %d)%n", DEVICES, rounds,
                seconds, SEED, TIMEOUT_MILLIS));
        for (Fault fault : Fault.values()) {
            out.append(String.format(Locale.ROOT, "  %-10s %5d%n", fault.name().toLowerCase(Locale.ROOT),
                    faults[fault.ordinal()]));
        }
        out.append(String.format(Locale.ROOT, "requests answered exactly once: %d (%d of them ERR)%n", answered,
                errors));
        out.append(String.format(Locale.ROOT, "threads %d -> %d, open fds %d -> %d, heap after GC %.1f -> %.1f MiB%n",
                before.threads.size(), after.threads.size(), before.fds, after.fds, before.heap / 1048576.0,
                after.heap / 1048576.0));
        return out.toString();
    }

    private void close() {
        for (int d = 0; d < DEVICES; d++) {
            drop(d);
            devices[d].deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
        }
        transport.close();
        for (Object chip : chips) {
            SimChips.close(chip);
        }
    }
}
