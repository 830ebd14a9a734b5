// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import static gpio.itest.guest.DefaultSetup.SIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import gpio.itest.GatewayProcess;

/**
 * What a VM host does to a running guest, done through QEMU's monitor while the
 * guest uses the gateway's default simulator: pause and resume, a snapshot
 * attempt, a reset. The guest's driver knows nothing of a pause, so nothing may
 * change for it; a reset is a new driver, which starts clean.
 */
class GuestLifecycleIT {

    private static final int LED0 = 0;
    private static final int BUTTON0 = 4;
    private static final int BUTTON1 = 5;
    private static final String STATUS = "/system/console/gpio/status.json";
    private static final Pattern GET_VALUE_COUNT = Pattern.compile("\"getValue\":(\\d+)");
    /** The simulator's delay per operation while a request is caught in flight by a pause. */
    private static final long SLOW_MICROS = 2_000_000;

    @RegisterExtension
    final Transcript transcript = new Transcript();

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Qemu.class)
    void aPauseChangesNothingTheGuestSees(Qemu qemu) throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            try (Guest guest = Guest.boot(qemu, socket, false)) {
                transcript.show(qemu + " guest console", guest::console);

                // An output the guest holds stays driven while the VM is stopped, and after.
                guest.start("gpioset --mode=wait gpiochip0 " + LED0 + "=1");
                sim.awaitLine(SIM, LED0, line -> line.drivenAt(1), "driven high by the guest");
                guest.pause();
                assertTrue(sim.line(SIM, LED0).drivenAt(1), "released while the VM is paused");
                guest.resume();
                assertTrue(sim.line(SIM, LED0).drivenAt(1), "released by the resume");
                guest.type("");
                assertEquals(0, guest.awaitEnd().status(), "gpioset");
                sim.awaitLine(SIM, LED0, line -> !line.used(), "released when gpioset ends");

                // A request being carried out when the VM stops is answered: gpioget does not hang.
                sim.setInput(SIM, BUTTON0, 1);
                gateway.shell("sim:latency " + SIM + " " + SLOW_MICROS);
                gateway.awaitLine(line -> line.contains(SIM + " latency " + SLOW_MICROS + " us"), "the latency");
                int before = getValueCount(gateway);
                guest.start("gpioget gpiochip0 " + BUTTON0);
                awaitGetValueCount(gateway, before + 1);
                guest.pause();
                guest.resume();
                Guest.Result gpioget = guest.awaitEnd();
                assertEquals(0, gpioget.status(), "gpioget: " + gpioget.output());
                assertEquals(List.of("1"), gpioget.output());
                gateway.shell("sim:latency " + SIM + " 0");
                gateway.awaitLine(line -> line.contains(SIM + " latency 0 us"), "no latency");

                // A snapshot is refused by QEMU for this device; the guest goes on as before.
                String savevm = guest.monitor("savevm before-update");
                assertTrue(savevm.contains("non-migratable device"), "savevm answered: " + savevm);
                sim.setInput(SIM, BUTTON1, 1);
                assertEquals(List.of("1 1"), guest.run("gpioget gpiochip0 " + BUTTON0 + " " + BUTTON1));
                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }

    /** Needs interrupts, so QEMU 10.0 (7.2 never offers them). */
    @Test
    void gpiomonKeepsReceivingEdgesAcrossAPauseAndGetsTheOneMadeDuringIt() throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            try (Guest guest = Guest.boot(Qemu.BACKPORTS_10_0, socket, false)) {
                transcript.show("QEMU 10.0 guest console", guest::console);
                guest.start(Gpiomon.command(3, BUTTON0));
                guest.awaitOutput(Gpiomon.WATCHING::equals, 1, "gpiomon watching");

                guest.pause();
                sim.setInput(SIM, BUTTON0, 1);
                guest.resume();
                guest.awaitOutput(Gpiomon::isEvent, 1, "the edge made while the VM was paused");
                sim.setInput(SIM, BUTTON0, 0);
                guest.awaitOutput(Gpiomon::isEvent, 2, "gpiomon events");
                sim.setInput(SIM, BUTTON0, 1);

                Guest.Result result = guest.awaitEnd();
                assertEquals(0, result.status(), "gpiomon's exit status");
                List<String> events = result.output().stream().filter(Gpiomon::isEvent).toList();
                assertEquals(List.of("RISING", "FALLING", "RISING"), events.stream().map(Gpiomon::edge).toList(),
                        "gpiomon printed:\n" + events);
                guest.powerOff();
            }
            gateway.stopCleanly();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Qemu.class)
    void aGuestThatRebootsStartsClean(Qemu qemu) throws Exception {
        try (GatewayProcess gateway = DefaultSetup.start(dataDir, transcript)) {
            Path socket = DefaultSetup.socket(dataDir);
            SimulatorApi sim = new SimulatorApi(gateway);
            try (Guest guest = Guest.bootRebootable(qemu, socket)) {
                transcript.show(qemu + " guest console", guest::console);
                guest.start("gpioset --mode=wait gpiochip0 " + LED0 + "=1");
                sim.awaitLine(SIM, LED0, line -> line.drivenAt(1), "driven high by the guest");

                guest.reboot();

                sim.awaitLine(SIM, LED0, line -> !line.used(), "released for the rebooted guest");
                sim.setInput(SIM, BUTTON0, 1);
                assertEquals(List.of("1"), guest.run("gpioget gpiochip0 " + BUTTON0));
                guest.run("gpioset gpiochip0 " + LED0 + "=1");
                assertEquals(List.of(0, 1, 0, 1, 0), sim.recordedLevels(SIM, LED0),
                        "driven, released by the reboot, then pulsed by the new boot's gpioset");
            }
            gateway.stopCleanly();
        }
    }

    private static int getValueCount(GatewayProcess gateway) throws Exception {
        HttpResponse<String> status = gateway.get(STATUS);
        Matcher matcher = GET_VALUE_COUNT.matcher(status.body());
        if (status.statusCode() != 200 || !matcher.find()) {
            throw new AssertionError("no GET_VALUE count in " + STATUS + " (HTTP " + status.statusCode() + "):\n"
                    + status.body());
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Waits until the device has received {@code count} GET_VALUE messages: one is then in the slow simulator. */
    private static void awaitGetValueCount(GatewayProcess gateway, int count) throws Exception {
        long deadline = System.nanoTime() + SimulatorApi.DEADLINE.toNanos();
        while (getValueCount(gateway) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the device did not receive GET_VALUE number " + count);
            }
            Thread.sleep(20); // polling with a deadline
        }
    }
}
