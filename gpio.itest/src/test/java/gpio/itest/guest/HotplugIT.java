// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gpio.itest.GatewayProcess;

/**
 * The device hot-unplugged and plugged in again under a running guest, as
 * libvirt does it ({@code virsh detach-device}/{@code attach-device}: QMP
 * {@code device_del}, then {@code chardev-remove}; {@code chardev-add}, then
 * {@code device_add}), several times: the re-plugged device works each time, a
 * line the guest still holds when the device goes is released, and the gateway
 * keeps no thread, fd or mapping of the connections that went away.
 */
class HotplugIT {

    private static final int LED0 = 0;
    private static final int BUTTON0 = 4;
    /** Unplug and re-plug cycles before the last unplug. */
    private static final int CYCLES = 3;

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    /** What a vhost-user connection holds in the gateway process: its threads, eventfds and guest memory maps. */
    private record Held(long deviceThreads, long eventFds, long guestMemoryMaps) {
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Qemu.class)
    void unplugAndReplugReleaseTheLinesAndLeaveNothingBehind(Qemu qemu) throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            sim.setInput(SIM, BUTTON0, 1);
            Held idle = held(gateway.pid());
            try (Guest guest = Guest.bootForHotplug(qemu, socket)) {
                transcript.show(qemu + " guest console", guest::console);
                guest.hotplugDevice();
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    assertEquals(List.of("1"), guest.run("gpioget gpiochip0 " + BUTTON0), "cycle " + cycle);
                    guest.run("gpioset gpiochip0 " + LED0 + "=1");
                    unplug(guest, sim, gateway.pid(), idle);
                    guest.addChardev(socket);
                    guest.hotplugDevice();
                }
                // Last, unplugged while the guest holds a line: the gateway lets it go. (Not plugged in
                // again: Linux 6.1 keeps the removed chip's held lines and crashes adding the next chip.)
                guest.run("gpioset --mode=signal gpiochip0 " + LED0 + "=1 &");
                sim.awaitLine(SIM, LED0, line -> line.drivenAt(1), "driven high by the guest");
                unplug(guest, sim, gateway.pid(), idle);
                guest.powerOff();
            }
            awaitHeld(gateway.pid(), idle);
            gateway.stopCleanly();
        }
    }

    /** Unplugs the device and its chardev; the gateway then holds no line and nothing of the connection. */
    private static void unplug(Guest guest, SimulatorApi sim, long pid, Held idle) throws Exception {
        guest.unplugDevice();
        guest.removeChardev();
        sim.awaitLine(SIM, LED0, line -> !line.used(), "released once the device is gone");
        awaitHeld(pid, idle);
    }

    private static Held held(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long threads;
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            threads = tasks.filter(task -> {
                String name = read(task.resolve("comm"));
                return name.startsWith("vhost-user") || name.startsWith("gpio.virtio");
            }).count();
        }
        long eventFds;
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            eventFds = fds.filter(fd -> target(fd).equals("anon_inode:[eventfd]")).count();
        }
        long maps;
        try (Stream<String> lines = Files.lines(proc.resolve("maps"))) {
            maps = lines.filter(line -> line.contains("/memfd:")).count();
        }
        return new Held(threads, eventFds, maps);
    }

    /** Polls until the gateway holds what it held with no guest attached. */
    private static void awaitHeld(long pid, Held idle) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SimulatorApi.DEADLINE.toNanos();
        Held now = held(pid);
        while (!now.equals(idle)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway holds " + now + " after the connection went; idle it held "
                        + idle);
            }
            Thread.sleep(50); // polling with a deadline
            now = held(pid);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException gone) {
            return ""; // the thread ended meanwhile
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException gone) {
            return ""; // closed meanwhile
        }
    }
}
