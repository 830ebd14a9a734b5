// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import static gpio.itest.osgi.VirtioGpioGuest.DIRECTION_IN;
import static gpio.itest.osgi.VirtioGpioGuest.ERR;
import static gpio.itest.osgi.VirtioGpioGuest.GET_DIRECTION;
import static gpio.itest.osgi.VirtioGpioGuest.GET_VALUE;
import static gpio.itest.osgi.VirtioGpioGuest.IRQ_EDGE_RISING;
import static gpio.itest.osgi.VirtioGpioGuest.IRQ_VALID;
import static gpio.itest.osgi.VirtioGpioGuest.OK;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;


import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.FrameworkUtil;

import gpio.api.GpioController;
import gpio.itest.Await;
import gpio.itest.osgi.VirtioGpioGuest.Answer;
import gpio.sim.GpioSimulator;
import gpio.vhostuser.frontend.VhostUserFrontend;

/**
 * Simulators and devices created, changed and deleted through ConfigAdmin in
 * the gateway's whole bundle set, each checked by what a guest sees through
 * the device's socket.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceLifecycleIT extends OperatorFramework {

    @Test
    public void theGuestSharesNoClassWithTheGateway() {
        assertNull("the test frontend must come from the test class path, not from a bundle",
                FrameworkUtil.getBundle(VhostUserFrontend.class));
    }

    @Test
    public void aDeviceConfiguredThroughConfigAdminServesASimulatorToTheGuest() throws Exception {
        org.osgi.service.cm.Configuration simConfig =
                operator.createSimulator("bench-a", "LED", "BUTTON", "RELAY", "");
        Path socket = dataDir.resolve("bench-a.sock");
        org.osgi.service.cm.Configuration deviceConfig = operator.createDevice(socket, "(gpio.label=bench-a)");
        try {
            GpioSimulator sim = operator.simulator("bench-a");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                assertEquals(4, guest.lineCount());
                assertEquals(List.of("LED", "BUTTON", "RELAY", ""), guest.lineNames());
                assertEquals(new Answer(OK, DIRECTION_IN), guest.call(GET_DIRECTION, 1, 0));

                guest.drive(0, 1);
                assertTrue("the guest's output drives the simulated pin", sim.level(0));
                assertEquals(new Answer(OK, 1), guest.call(GET_VALUE, 0, 0));

                sim.setInput(1, true);
                assertEquals("as gpioget does", new Answer(OK, 1), guest.read(1));
                VirtioGpioGuest.Interrupt irq = guest.arm(1, IRQ_EDGE_RISING);
                sim.setInput(1, false);
                sim.setInput(1, true);
                assertEquals(IRQ_VALID, irq.await());

                assertEquals("line 4 does not exist", ERR, guest.call(GET_VALUE, 4, 0).status());
                assertEquals("the queue still works after ERR", new Answer(OK, 1), guest.call(GET_VALUE, 0, 0));
            }
        } finally {
            deviceConfig.delete();
            simConfig.delete();
        }
        Operator.awaitNoSocket(socket);
        Await.condition(() -> !operator.simulatorPresent("bench-a"), "the simulator is gone with its configuration");
    }

    @Test
    public void changingSocketPathMovesTheDeviceAndKeepsTheConnectedGuest() throws Exception {
        org.osgi.service.cm.Configuration simConfig = operator.createSimulator("bench-m", "A", "B");
        Path before = dataDir.resolve("before.sock");
        Path after = dataDir.resolve("after.sock");
        org.osgi.service.cm.Configuration deviceConfig = operator.createDevice(before, "(gpio.label=bench-m)");
        try {
            GpioSimulator sim = operator.simulator("bench-m");
            Operator.awaitSocket(before);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(before)) {
                guest.drive(1, 1);
                deviceConfig.update(Operator.deviceProperties(after, "(gpio.label=bench-m)"));
                Operator.awaitSocket(after);
                Operator.awaitNoSocket(before);
                assertEquals("the guest connected before the move is still served", new Answer(OK, 1),
                        guest.call(GET_VALUE, 1, 0));
                guest.drive(1, 0);
                assertFalse(sim.level(1));
            }
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(after)) {
                assertEquals(List.of("A", "B"), guest.lineNames());
                guest.drive(0, 1);
                assertTrue(sim.level(0));
            }
        } finally {
            deviceConfig.delete();
            simConfig.delete();
        }
        Operator.awaitNoSocket(after);
    }

    @Test
    public void deletingADeviceDisconnectsItsGuestAndRecreatingItServesAgain() throws Exception {
        org.osgi.service.cm.Configuration simConfig = operator.createSimulator("bench-d", "A", "B");
        Path socket = dataDir.resolve("deleted.sock");
        org.osgi.service.cm.Configuration deviceConfig = operator.createDevice(socket, "(gpio.label=bench-d)");
        try {
            GpioController chip = operator.controller("bench-d");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(0, 1);
                assertTrue(chip.lineInfo(0).used());

                deviceConfig.delete();
                assertTrue("the device closes the guest's connection when it goes away",
                        guest.closedByDevice(10_000));
                Operator.awaitNoSocket(socket);
                Await.condition(() -> !Operator.used(chip, 0), "the guest's line is released on the chip");
            }
            deviceConfig = operator.createDevice(socket, "(gpio.label=bench-d)");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                assertEquals(List.of("A", "B"), guest.lineNames());
                assertEquals("a new device starts from scratch: line 0 is a free input again",
                        new Answer(OK, DIRECTION_IN), guest.call(GET_DIRECTION, 0, 0));
                guest.drive(0, 1);
                assertTrue(chip.lineInfo(0).used());
            }
        } finally {
            Operator.delete(deviceConfig);
            simConfig.delete();
        }
        Operator.awaitNoSocket(socket);
    }

    @Test
    public void severalDevicesServeTheirGuestsIndependently() throws Exception {
        String[] labels = {"multi-0", "multi-1", "multi-2"};
        List<org.osgi.service.cm.Configuration> configurations = new ArrayList<>();
        List<VirtioGpioGuest> guests = new ArrayList<>();
        try {
            List<GpioSimulator> sims = new ArrayList<>();
            List<Path> sockets = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                // Different line counts and names: each guest must see its own chip.
                String[] names = new String[2 + i];
                for (int line = 0; line < names.length; line++) {
                    names[line] = labels[i] + "-line" + line;
                }
                configurations.add(operator.createSimulator(labels[i], names));
                sockets.add(dataDir.resolve(labels[i] + ".sock"));
                configurations.add(operator.createDevice(sockets.get(i), "(gpio.label=" + labels[i] + ")"));
            }
            for (int i = 0; i < labels.length; i++) {
                sims.add(operator.simulator(labels[i]));
                Operator.awaitSocket(sockets.get(i));
                guests.add(VirtioGpioGuest.connect(sockets.get(i)));
            }
            for (int i = 0; i < labels.length; i++) {
                assertEquals(2 + i, guests.get(i).lineCount());
                assertEquals(labels[i] + "-line1", guests.get(i).lineNames().get(1));
            }
            // Each guest drives line 1 to its own value: 1, 0, 1.
            for (int i = 0; i < labels.length; i++) {
                guests.get(i).drive(1, 1 - i % 2);
            }
            for (int i = 0; i < labels.length; i++) {
                assertEquals(labels[i] + " line 1", i % 2 == 0, sims.get(i).level(1));
            }
            VirtioGpioGuest.Interrupt irq0 = guests.get(0).arm(0, IRQ_EDGE_RISING);
            VirtioGpioGuest.Interrupt irq2 = guests.get(2).arm(0, IRQ_EDGE_RISING);
            sims.get(2).setInput(0, true);
            assertEquals(IRQ_VALID, irq2.await());
            assertFalse("an edge on another device's chip reaches only that device's guest", irq0.fired());

            // Deleting the middle device leaves the others serving.
            configurations.get(3).delete();
            assertTrue(guests.get(1).closedByDevice(10_000));
            Operator.awaitNoSocket(sockets.get(1));
            for (int i : new int[] {0, 2}) {
                assertEquals(new Answer(OK, 1 - i % 2), guests.get(i).call(GET_VALUE, 1, 0));
            }
            sims.get(0).setInput(0, true);
            assertEquals(IRQ_VALID, irq0.await());
        } finally {
            guests.forEach(VirtioGpioGuest::close);
            for (org.osgi.service.cm.Configuration configuration : configurations) {
                Operator.delete(configuration);
            }
        }
    }

    @Test
    public void aRestartingChangeThatCannotBeAppliedKeepsTheLastGoodDeviceServing() throws Exception {
        org.osgi.service.cm.Configuration simConfig = operator.createSimulator("bench-k", "A", "B");
        Path socket = dataDir.resolve("kept.sock");
        String target = "(gpio.label=bench-k)";
        org.osgi.service.cm.Configuration deviceConfig = operator.createDevice(socket, target);
        Path inTheWay = dataDir.resolve("in-the-way.sock");
        try (LogCapture log = new LogCapture()) {
            operator.simulator("bench-k");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(0, 1);
                // worker.threads restarts the device; the missing directory is found before it stops.
                Dictionary<String, Object> missingDirectory =
                        Operator.deviceProperties(dataDir.resolve("missing/kept.sock"), target);
                missingDirectory.put("worker.threads", 3);
                deviceConfig.update(missingDirectory);
                log.await("configuration change refused, device unchanged: socket.path");
                assertEquals("the same connection is still served", new Answer(OK, 1), guest.call(GET_VALUE, 0, 0));
            }
            // A file in the way is only found when the new socket is made: the old device comes back.
            Files.writeString(inTheWay, "not a socket");
            Dictionary<String, Object> blocked = Operator.deviceProperties(inTheWay, target);
            blocked.put("worker.threads", 3);
            deviceConfig.update(blocked);
            log.await("the last good configuration serves again on " + socket);
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                assertEquals("a new frontend is served on the old socket", new Answer(OK, DIRECTION_IN),
                        guest.call(GET_DIRECTION, 1, 0));
            }
            assertEquals("not a socket", Files.readString(inTheWay));
        } finally {
            Operator.delete(deviceConfig);
            Operator.delete(simConfig);
        }
        Operator.awaitNoSocket(socket);
    }

    @Test
    public void refusedConfigurationsAreLoggedAndChangeNothingTheGuestSees() throws Exception {
        org.osgi.service.cm.Configuration simConfig = operator.createSimulator("bench-r", "A", "B");
        Path socket = dataDir.resolve("refused.sock");
        org.osgi.service.cm.Configuration deviceConfig = operator.createDevice(socket, "(gpio.label=bench-r)");
        org.osgi.service.cm.Configuration badSim = null;
        try (LogCapture log = new LogCapture()) {
            GpioSimulator sim = operator.simulator("bench-r");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(0, 1);

                Dictionary<String, Object> badMode = Operator.deviceProperties(socket, "(gpio.label=bench-r)");
                badMode.put("socket.mode", "rwx");
                deviceConfig.update(badMode);
                log.await("configuration change refused, device unchanged: socket.mode \"rwx\"");
                assertEquals("the same connection is still served", new Answer(OK, 1), guest.call(GET_VALUE, 0, 0));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

                simConfig.update(Operator.simulatorProperties("bench-r", "SAME", "SAME"));
                log.await("gpio.sim bench-r keeps running with its previous configuration");
                assertTrue(sim.level(0));
                assertEquals(new Answer(OK, 1), guest.call(GET_VALUE, 0, 0));

                badSim = operator.createSimulator("bench-bad", "SAME", "SAME");
                log.await("gpio.sim configuration " + badSim.getPid() + " refused");
                assertFalse("a refused configuration creates no chip", operator.simulatorPresent("bench-bad"));
            }
        } finally {
            deviceConfig.delete();
            simConfig.delete();
            if (badSim != null) {
                badSim.delete();
            }
        }
        Operator.awaitNoSocket(socket);
    }
}
