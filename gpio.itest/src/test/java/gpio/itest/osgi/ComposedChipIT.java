// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import static gpio.itest.osgi.VirtioGpioGuest.DIRECTION_OUT;
import static gpio.itest.osgi.VirtioGpioGuest.ERR;
import static gpio.itest.osgi.VirtioGpioGuest.GET_VALUE;
import static gpio.itest.osgi.VirtioGpioGuest.OK;
import static gpio.itest.osgi.VirtioGpioGuest.SET_DIRECTION;
import static gpio.itest.osgi.VirtioGpioGuest.SET_VALUE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import gpio.api.GpioController;
import gpio.itest.Await;
import gpio.itest.osgi.VirtioGpioGuest.Answer;
import gpio.sim.GpioSimulator;

/**
 * One device whose guest chip is composed of lines of two simulated chips
 * ({@code lines} naming controllers by label), driven by the test frontend over
 * the device's real socket while the operator acts through ConfigAdmin: one
 * chip replaced under load while the other keeps serving, and each safe state
 * applied when the frontend disconnects, as the simulator API sees it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ComposedChipIT extends OperatorFramework {

    private static Dictionary<String, Object> composedDevice(Path socket, String lines, String readOnly,
            String... safeStates) {
        Dictionary<String, Object> properties = Operator.deviceProperties(socket, "(gpio.label=nobody)");
        properties.put("lines", lines);
        properties.put("lines.readonly", readOnly);
        properties.put("safe.state", safeStates);
        return properties;
    }

    private Configuration create(String factoryPid, Dictionary<String, Object> properties) throws IOException {
        Configuration configuration = configAdmin.createFactoryConfiguration(factoryPid, "?");
        configuration.update(properties);
        return configuration;
    }

    @Test
    public void replacingOneChipUnderLoadMovesOnlyItsLinesWhileTheOtherChipKeepsServing() throws Exception {
        String[] names = {"L0", "L1", "L2", "L3"};
        Configuration leds = operator.createSimulator("c-leds", names);
        Configuration buttons = operator.createSimulator("c-buttons", "B0", "B1", "B2", "B3");
        Configuration spare = operator.createSimulator("c-spare", "S0", "S1", "S2", "S3");
        Path socket = dataDir.resolve("composed-swap.sock");
        Configuration device = create(Operator.DEVICE_FACTORY_PID,
                composedDevice(socket, "c-leds:0-3, c-buttons:0-3", ""));
        try {
            GpioSimulator ledChip = operator.simulator("c-leds");
            GpioSimulator oldButtons = operator.simulator("c-buttons");
            GpioSimulator newButtons = operator.simulator("c-spare");
            // The button chips tell themselves apart by their inputs: line n reads n % 2 on the old
            // one, the opposite on the new one; the LED chip's inputs read 1 for lines 0 and 2.
            for (int line = 0; line < 3; line++) {
                ledChip.setInput(line, line % 2 == 0);
                oldButtons.setInput(line, line % 2 == 1);
                newButtons.setInput(line, line % 2 == 0);
            }
            // 20 ms a call on the old button chip: each burst of the load takes a few hundred ms, so requests
            // are in flight all the time while the operator replaces the chip.
            oldButtons.setLatency(Duration.ofMillis(20));
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                assertEquals(8, guest.lineCount());
                assertEquals(List.of("L0", "L1", "L2", "L3", "B0", "B1", "B2", "B3"), guest.lineNames());
                guest.drive(3, 1);
                guest.drive(7, 1);
                for (int line : new int[] {0, 1, 2, 4, 5, 6}) {
                    guest.read(line);
                }
                assertTrue(oldButtons.level(3));

                Load load = new Load(guest);
                Thread loadThread = new Thread(load, "composed chip load");
                loadThread.start();
                int burstsBeforeTheNewChip;
                try {
                    Await.condition(() -> load.bursts() >= 2, "the load runs");
                    // The operator replaces the button chip: the old one is relabelled away, the spare takes its
                    // label; ConfigAdmin applies each update asynchronously.
                    update(buttons, Operator.simulatorProperties("c-buttons-old", "B0", "B1", "B2", "B3"));
                    Await.condition(() -> !operator.simulatorPresent("c-buttons"), "no chip is labelled c-buttons");
                    update(spare, Operator.simulatorProperties("c-buttons", "S0", "S1", "S2", "S3"));
                    Await.condition(() -> operator.simulatorPresent("c-buttons"), "the spare is labelled c-buttons");
                    burstsBeforeTheNewChip = load.bursts();
                    Await.condition(load::allButtonsOnTheNewChip, "every button line reads the new chip");
                } finally {
                    load.stop();
                    loadThread.join();
                }
                assertEquals("every answer of the load was as expected", null, load.failure());
                assertTrue("the load went on across the replacement", load.bursts() > burstsBeforeTheNewChip);
                Await.condition(() -> newButtons.level(3), "the guest's output is replayed on the new button chip");
                Await.condition(() -> !Operator.used((GpioController) oldButtons, 3), "the old chip is released");
                assertTrue("the LED chip's output was never let go", ledChip.level(3)
                        && Operator.used((GpioController) ledChip, 3));
                assertEquals(new Answer(OK, 1), guest.call(GET_VALUE, 7, 0));
                assertEquals("same connection: the names come from the new chip",
                        List.of("L0", "L1", "L2", "L3", "S0", "S1", "S2", "S3"), guest.lineNames());
            }
        } finally {
            device.delete();
            leds.delete();
            buttons.delete();
            spare.delete();
        }
        Operator.awaitNoSocket(socket);
    }

    @Test
    public void aDisconnectLeavesEachOutputAtItsSafeStateAndReadOnlyLinesAreNeverDriven() throws Exception {
        // Pulled up where a released line would otherwise look like the safe level.
        Dictionary<String, Object> outputs = Operator.simulatorProperties("s-out", "RELEASED", "HELD", "LOW", "HIGH");
        outputs.put("line.pulls", new String[] {"down", "down", "up", "down"});
        Configuration outChip = create(Operator.SIM_FACTORY_PID, outputs);
        Configuration inChip = operator.createSimulator("s-in", "SENSOR", "DOOR");
        Path socket = dataDir.resolve("composed-safe.sock");
        Configuration device = create(Operator.DEVICE_FACTORY_PID,
                composedDevice(socket, "s-out:0-3, s-in:0-1", "s-in:0-1", "s-out:1=hold, s-out:2=low", "s-out:3=high"));
        try {
            GpioSimulator out = operator.simulator("s-out");
            GpioSimulator in = operator.simulator("s-in");
            in.setInput(1, true);
            Operator.awaitSocket(socket);
            try (VirtioGpioGuest guest = VirtioGpioGuest.connect(socket)) {
                guest.drive(0, 1);
                guest.drive(1, 1);
                guest.drive(2, 1);
                guest.drive(3, 0);
                assertEquals("read-only: SET_VALUE refused", ERR, guest.call(SET_VALUE, 4, 1).status());
                assertEquals("read-only: SET_DIRECTION OUT refused", ERR,
                        guest.call(SET_DIRECTION, 5, DIRECTION_OUT).status());
                assertFalse("the read-only line is never requested", Operator.used((GpioController) in, 0));
                assertEquals("read-only lines are read", new Answer(OK, 1), guest.read(5));
                assertTrue(out.level(0) && out.level(1) && out.level(2) && !out.level(3));
            }
            Await.condition(() -> !Operator.used((GpioController) out, 0), "release: the line is released");
            assertFalse("release: at its pull", out.level(0));
            Await.condition(() -> out.level(3), "high: driven high after the disconnect");
            assertTrue("high: held by the device", Operator.used((GpioController) out, 3));
            assertTrue("hold: still driving the guest's value", out.level(1) && Operator.used((GpioController) out, 1));
            assertFalse("low: driven low, not released to its pull-up", out.level(2));
            assertTrue(Operator.used((GpioController) out, 2));
            assertFalse("the read-only line was never driven", Operator.used((GpioController) in, 0) || in.level(0));

            try (VirtioGpioGuest next = VirtioGpioGuest.connect(socket)) {
                assertEquals("the next driver reads the safe level", new Answer(OK, 1), next.call(GET_VALUE, 3, 0));
                next.drive(3, 0);
                assertFalse("and takes the line over", out.level(3));
            }
            Await.condition(() -> out.level(3), "high again after the second disconnect");
        } finally {
            device.delete();
            Operator.delete(outChip);
            inChip.delete();
        }
        Operator.awaitNoSocket(socket);
    }

    /**
     * Bursts of GET_VALUE on three lines of each chip, one after the other until
     * stopped, checking every answer: the LED chip's lines always answer their
     * level; a button line answers the old chip's level, then (once the old chip
     * is gone) ERR, then the new chip's level, never the old one again.
     */
    private static final class Load implements Runnable {
        private static final int[] LINES = {0, 1, 2, 4, 5, 6};

        private final VirtioGpioGuest guest;
        private final int[] burst = new int[48];
        private final boolean[] onNew = new boolean[8];
        private volatile boolean stopped;
        private volatile int bursts;
        private volatile boolean allOnNew;
        private volatile String failure;

        Load(VirtioGpioGuest guest) {
            this.guest = guest;
            for (int i = 0; i < burst.length; i++) {
                burst[i] = LINES[i % LINES.length];
            }
        }

        @Override
        public void run() {
            try {
                while (!stopped && failure == null) {
                    check(guest.burst(GET_VALUE, burst, 0, () -> { }));
                    bursts++;
                }
            } catch (TimeoutException | RuntimeException | AssertionError e) {
                failure = e.toString();
            }
        }

        private void check(List<Answer> answers) {
            for (int i = 0; i < burst.length; i++) {
                int line = burst[i];
                Answer answer = answers.get(i);
                String what = "burst " + (bursts + 1) + ", message " + i + " for guest line " + line + ": " + answer;
                if (line < 4) {
                    if (!answer.equals(new Answer(OK, line % 2 == 0 ? 1 : 0))) {
                        failure = what + ": the LED chip did not keep serving";
                    }
                    continue;
                }
                int offset = line - 4;
                boolean fromNew = answer.status() == OK && answer.value() == (offset % 2 == 0 ? 1 : 0);
                boolean fromOld = answer.status() == OK && !fromNew;
                if (fromOld && onNew[line]) {
                    failure = what + " comes from the old chip after the new one answered";
                }
                onNew[line] |= fromNew;
            }
            allOnNew = onNew[4] && onNew[5] && onNew[6];
        }

        int bursts() {
            return bursts;
        }

        boolean allButtonsOnTheNewChip() {
            return allOnNew || failure != null;
        }

        String failure() {
            return failure;
        }

        void stop() {
            stopped = true;
        }
    }

    private static void update(Configuration configuration, Dictionary<String, Object> properties) {
        try {
            configuration.update(properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
