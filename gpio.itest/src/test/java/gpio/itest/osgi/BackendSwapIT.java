// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import static gpio.itest.osgi.VirtioGpioGuest.DIRECTION_OUT;
import static gpio.itest.osgi.VirtioGpioGuest.ERR;
import static gpio.itest.osgi.VirtioGpioGuest.GET_DIRECTION;
import static gpio.itest.osgi.VirtioGpioGuest.GET_VALUE;
import static gpio.itest.osgi.VirtioGpioGuest.IRQ_EDGE_BOTH;
import static gpio.itest.osgi.VirtioGpioGuest.IRQ_EDGE_RISING;
import static gpio.itest.osgi.VirtioGpioGuest.IRQ_VALID;
import static gpio.itest.osgi.VirtioGpioGuest.OK;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.stream.IntStream;


import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import gpio.api.GpioController;
import gpio.itest.Await;
import gpio.itest.osgi.VirtioGpioGuest.Answer;
import gpio.sim.GpioSimulator;

/**
 * The device's backend swapped under a connected guest by operator actions in
 * ConfigAdmin: the frontend connection stays up, and what the guest set (an
 * output value, an armed interrupt with its eventq buffer held) carries over to
 * the new chip.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BackendSwapIT extends OperatorFramework {

    @Test
    public void changingControllerTargetMovesTheOutputAndTheArmedInterruptToTheOtherChip() throws Exception {
        org.osgi.service.cm.Configuration simA = operator.createSimulator("swap-a", "OUT", "IN");
        org.osgi.service.cm.Configuration simB = operator.createSimulator("swap-b", "OUT", "IN");
        Path socket = dataDir.resolve("retarget.sock");
        org.osgi.service.cm.Configuration device = operator.createDevice(socket, "(gpio.label=swap-a)");
        try {
            GpioSimulator a = operator.simulator("swap-a");
            GpioSimulator b = operator.simulator("swap-b");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(0, 1);
                VirtioGpioGuest.Interrupt irq = guest.arm(1, IRQ_EDGE_RISING);
                assertTrue(a.level(0));
                assertFalse(b.level(0));

                device.update(Operator.deviceProperties(socket, "(gpio.label=swap-b)"));
                Await.condition(() -> b.level(0), "the guest's output value is driven on swap-b");
                Await.condition(() -> !Operator.used((GpioController) a, 0) && !Operator.used((GpioController) a, 1),
                        "swap-a's lines are released");
                Await.condition(() -> Operator.used((GpioController) b, 1), "the interrupt watches swap-b's line");

                assertEquals("same connection, served by swap-b", new Answer(OK, DIRECTION_OUT),
                        guest.call(GET_DIRECTION, 0, 0));
                assertEquals(new Answer(OK, 1), guest.call(GET_VALUE, 0, 0));
                assertFalse("the eventq buffer is still held", irq.fired());
                b.setInput(1, true);
                assertEquals("swap-b's edge fires the interrupt armed before the swap", IRQ_VALID, irq.await());

                guest.drive(0, 0);
                assertFalse(b.level(0));
                assertFalse("swap-a is no longer driven by the guest", Operator.used((GpioController) a, 0));
            }
        } finally {
            device.delete();
            simA.delete();
            simB.delete();
        }
        Operator.awaitNoSocket(socket);
    }

    @Test
    public void theControllerDeletedAndAnotherMatchingOneAddedTakesOverTheGuestsState() throws Exception {
        org.osgi.service.cm.Configuration first = operator.createSimulator("hot", "OUT", "IN");
        Path socket = dataDir.resolve("hot.sock");
        org.osgi.service.cm.Configuration device = operator.createDevice(socket, "(gpio.label=hot)");
        org.osgi.service.cm.Configuration second = null;
        try {
            GpioSimulator chip = operator.simulator("hot");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(0, 1);
                VirtioGpioGuest.Interrupt irq = guest.arm(1, IRQ_EDGE_BOTH);
                assertTrue(chip.level(0));

                first.delete();
                Await.condition(() -> !operator.simulatorPresent("hot"), "the chip is gone with its configuration");
                // The service registry may list the chip as gone while SCR is still unbinding it from the
                // device, on the thread that unregisters it: every answer comes back (no hang), ERR once unbound.
                awaitError(guest, "no controller: the guest gets ERR, not a hang");
                assertFalse("the eventq buffer stays held while no chip is bound", irq.fired());

                // Another configuration (another PID, other line names) for a chip with the same label.
                second = operator.createSimulator("hot", "OUT2", "IN2");
                GpioSimulator replacement = operator.simulator("hot");
                Await.condition(() -> replacement.level(0), "the guest's output value is driven on the new chip");
                Await.condition(() -> Operator.used((GpioController) replacement, 1),
                        "the interrupt watches the new chip's line");
                assertEquals("same connection, served by the new chip", new Answer(OK, 1),
                        guest.call(GET_VALUE, 0, 0));
                replacement.setInput(1, true);
                assertEquals("the new chip's edge fires the interrupt armed before", IRQ_VALID, irq.await());
            }
        } finally {
            device.delete();
            Operator.delete(first);
            if (second != null) {
                second.delete();
            }
        }
        Operator.awaitNoSocket(socket);
    }

    @Test
    public void aTargetMatchingNoChipGivesErrUntilItMatchesAgain() throws Exception {
        org.osgi.service.cm.Configuration simConfig = operator.createSimulator("lonely", "OUT", "IN");
        Path socket = dataDir.resolve("lonely.sock");
        org.osgi.service.cm.Configuration device = operator.createDevice(socket, "(gpio.label=lonely)");
        try {
            GpioSimulator sim = operator.simulator("lonely");
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(1, 1);

                device.update(Operator.deviceProperties(socket, "(gpio.label=nobody)"));
                Await.condition(() -> !Operator.used((GpioController) sim, 1),
                        "the chip no longer matching is released");
                assertEquals("no controller: the guest gets ERR, not a hang", ERR,
                        guest.call(GET_VALUE, 1, 0).status());
                assertEquals(ERR, guest.call(GET_DIRECTION, 0, 0).status());

                device.update(Operator.deviceProperties(socket, "(&(gpio.backend=sim)(gpio.label=lonely))"));
                Await.condition(() -> sim.level(1), "the guest's output value is driven again");
                assertEquals("same connection, served again", new Answer(OK, 1), guest.call(GET_VALUE, 1, 0));
            }
        } finally {
            device.delete();
            simConfig.delete();
        }
        Operator.awaitNoSocket(socket);
    }

    @Test
    public void aSwapUnderLoadAnswersEveryMessageOnceAndInOrderPerLine() throws Exception {
        String[] names = {"L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7"};
        org.osgi.service.cm.Configuration simA = operator.createSimulator("load-a", names);
        org.osgi.service.cm.Configuration simB = operator.createSimulator("load-b", names);
        Path socket = dataDir.resolve("load.sock");
        org.osgi.service.cm.Configuration device = operator.createDevice(socket, "(gpio.label=load-a)");
        try {
            GpioSimulator a = operator.simulator("load-a");
            GpioSimulator b = operator.simulator("load-b");
            // The chips tell themselves apart by their inputs: line n reads n % 2 on load-a, the opposite on load-b.
            for (int line = 0; line < names.length; line++) {
                a.setInput(line, line % 2 == 1);
                b.setInput(line, line % 2 == 0);
            }
            // Slow load-a down (48 messages, 8 lines, 2 workers: about 480 ms a burst) so that the
            // swap lands while a burst is in flight. It is asked for once the first answer of the first
            // burst is back: a call in flight on load-a when the swap lands is carried out again on
            // load-b (the old chip may be gone), so a swap asked for at once and quicker than one call
            // (ConfigAdmin and SCR can be) made no burst mixed (seen in CI).
            a.setLatency(Duration.ofMillis(20));
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                for (int line = 0; line < names.length; line++) {
                    assertEquals(new Answer(OK, line % 2), guest.read(line));
                }
                int[] lines = new int[48];
                for (int i = 0; i < lines.length; i++) {
                    lines[i] = i % names.length;
                }
                boolean[] onB = new boolean[names.length];
                Runnable swap = () -> update(device, Operator.deviceProperties(socket, "(gpio.label=load-b)"));
                int bursts = 0;
                boolean mixed = false;
                long deadline = System.nanoTime() + Await.DEADLINE.toNanos();
                while (!allTrue(onB)) {
                    assertTrue("not every line reads load-b within " + Await.DEADLINE, System.nanoTime() < deadline);
                    List<Answer> answers = guest.burst(GET_VALUE, lines, 0, bursts == 0 ? swap : () -> { });
                    bursts++;
                    for (int i = 0; i < lines.length; i++) {
                        int line = lines[i];
                        Answer answer = answers.get(i);
                        String what = "burst " + bursts + ", message " + i + " for line " + line + ": " + answer;
                        assertEquals(what, OK, answer.status());
                        boolean fromB = answer.value() == 1 - line % 2;
                        assertTrue(what + " comes from load-a after load-b answered", fromB || !onB[line]);
                        onB[line] |= fromB;
                    }
                    long fromB = IntStream.range(0, lines.length)
                            .filter(i -> answers.get(i).value() == 1 - lines[i] % 2).count();
                    mixed |= fromB > 0 && fromB < lines.length;
                }
                assertTrue("no burst was answered partly by each chip: the swap did not happen under load", mixed);
            }
        } finally {
            device.delete();
            simA.delete();
            simB.delete();
        }
        Operator.awaitNoSocket(socket);
    }

    private static void update(org.osgi.service.cm.Configuration configuration, Dictionary<String, Object> properties) {
        try {
            configuration.update(properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean flag : flags) {
            if (!flag) {
                return false;
            }
        }
        return true;
    }

    /** Sends GET_VALUE on line 0 until it is answered ERR; each call must be answered. */
    private static void awaitError(VirtioGpioGuest guest, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (guest.call(GET_VALUE, 0, 0).status() != ERR) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
        }
    }
}
