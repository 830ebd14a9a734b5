// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import gpio.api.Bias;
import gpio.api.Direction;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeSubscription;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.LinuxSyscalls;
import gpio.form.internal.RecordingRefusals;

/**
 * The cdev backend against the real kernel's gpio-sim chips. Runs only inside
 * the test guest (see {@link KernelGuestTest}, which boots it and reports each
 * of these as its own test); the name keeps Surefire from running it on the host.
 */
class GpioSimScenarios {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String LABEL = "vgpio-sim-test";
    private static final int LINES = 8;
    private static final int HOGGED = 7;

    private final LinuxSyscalls syscalls = new LinuxSyscalls();
    private final List<CdevController> controllers = new ArrayList<>();
    private final CountDownLatch lost = new CountDownLatch(1);
    private GpioSim sim;

    @BeforeEach
    void createChip() {
        sim = new GpioSim("vgpio-test", LABEL, LINES, Map.of(0, "led", 3, "button"), Map.of(HOGGED, "kernel-hog"));
    }

    @AfterEach
    void removeChip() {
        controllers.forEach(CdevController::close);
        sim.close();
    }

    private CdevController open(String chip, int[] offsets, String consumer, LineDefaults defaults) throws GpioException {
        CdevController controller = CdevController.open(syscalls,
                new CdevController.Options(chip, offsets, consumer, "", defaults), lost::countDown);
        controllers.add(controller);
        return controller;
    }

    private CdevController open() throws GpioException {
        return open(LABEL, new int[0], "vgpio", LineDefaults.NONE);
    }

    @Test
    void findsTheChipByLabelAndByPathAndReportsItsLines() throws Exception {
        CdevController byLabel = open();
        assertEquals(LABEL, byLabel.label(), "the label defaults to the chip's label");
        assertEquals(LINES, byLabel.lineCount());
        assertEquals(sim.chipName(), byLabel.chipName());
        LineInfo led = byLabel.lineInfo(0);
        assertEquals("led", led.name());
        assertFalse(led.used());
        LineInfo hog = byLabel.lineInfo(HOGGED);
        assertTrue(hog.used(), "a hogged line is in use");
        assertEquals("kernel-hog", hog.consumer());
        assertEquals(Direction.OUTPUT, hog.direction());

        CdevController byPath = open("/dev/" + sim.chipName(), new int[0], "other", LineDefaults.NONE);
        assertEquals(LINES, byPath.lineCount());
        GpioException missing = assertThrows(GpioException.class,
                () -> open("no-such-chip", new int[0], "vgpio", LineDefaults.NONE));
        assertEquals(Reason.INVALID_ARGUMENT, missing.reason());
        assertTrue(missing.getMessage().contains("no-such-chip"), missing.getMessage());
    }

    @Test
    void inputReadsTheLevelPulledFromOutside() throws Exception {
        CdevController controller = open();
        try (GpioLine button = controller.request(3, LineSettings.input(), "guest")) {
            sim.pull(3, true);
            assertTrue(button.getValue());
            sim.pull(3, false);
            assertFalse(button.getValue());
            LineInfo info = controller.lineInfo(3);
            assertTrue(info.used());
            assertEquals("vgpio:guest", info.consumer());
            assertEquals(Direction.INPUT, info.direction());
        }
        assertFalse(controller.lineInfo(3).used(), "closing the line releases it");
    }

    @Test
    void configuredActiveLowAndBiasApply() throws Exception {
        CdevController controller = open(LABEL, new int[0], "vgpio",
                new LineDefaults(Bias.PULL_UP, gpio.api.Drive.PUSH_PULL, true, Duration.ZERO));
        try (GpioLine line = controller.request(2, LineSettings.input(), "")) {
            sim.pull(2, true);
            assertFalse(line.getValue(), "active-low: high reads inactive");
            LineInfo info = controller.lineInfo(2);
            assertTrue(info.activeLow());
            assertEquals(Bias.PULL_UP, info.bias());
            assertEquals(LineSettings.input(), line.settings(), "settings() reports what the consumer asked");
        }
    }

    @Test
    void debounceReachesTheKernelAndEdgesStillArrive() throws Exception {
        CdevController controller = open(LABEL, new int[0], "vgpio",
                new LineDefaults(Bias.AS_IS, gpio.api.Drive.PUSH_PULL, false, Duration.ofMillis(2)));
        List<EdgeEvent> events = new CopyOnWriteArrayList<>();
        try (GpioLine button = controller.request(3, LineSettings.input(), "guest")) {
            gpio.cdev.internal.uapi.LineInfo raw = new gpio.cdev.internal.uapi.LineInfo();
            raw.query(3);
            int chip = syscalls.open("/dev/" + sim.chipName());
            try {
                syscalls.ioctl(chip, gpio.cdev.internal.uapi.Ioctl.GET_LINEINFO, raw.buffer());
            } finally {
                syscalls.close(chip);
            }
            assertEquals(2000, raw.debounceMicros(), "the kernel reports the configured debounce");
            button.watchEdges(EdgeDetection.RISING, events::add);
            sim.pull(3, true);
            Await.until(() -> events.size() == 1, TIMEOUT, events::toString);
            assertEquals(Edge.RISING, events.get(0).edge());
        }
    }

    @Test
    void outputDrivesTheLineWithoutGlitchAndReconfigures() throws Exception {
        CdevController controller = open();
        try (GpioLine led = controller.request(0, LineSettings.output(true), "guest")) {
            assertTrue(sim.value(0), "the initial value is driven from the request on");
            led.setValue(false);
            assertFalse(sim.value(0));
            led.setValue(true);
            assertTrue(sim.value(0));
            assertTrue(led.getValue());
            led.reconfigure(LineSettings.input());
            sim.pull(0, false);
            assertFalse(led.getValue());
            GpioException input = assertThrows(GpioException.class, () -> led.setValue(true));
            assertEquals(Reason.INVALID_ARGUMENT, input.reason());
            led.reconfigure(LineSettings.output(true));
            assertTrue(sim.value(0));
        }
    }

    @Test
    void lineSubsetMapsControllerOffsetsToChipOffsets() throws Exception {
        CdevController controller = open(LABEL, new int[] {5, 1}, "vgpio", LineDefaults.NONE);
        assertEquals(2, controller.lineCount());
        try (GpioLine first = controller.request(0, LineSettings.output(true), "")) {
            assertTrue(first.getValue());
            assertTrue(sim.value(5));
            assertFalse(sim.value(1));
        }
        assertEquals(Reason.INVALID_ARGUMENT,
                assertThrows(GpioException.class, () -> controller.request(2, LineSettings.input(), "")).reason());
    }

    @Test
    void edgesArriveInOrderWithSequenceNumbersAndStopOnClose() throws Exception {
        CdevController controller = open();
        List<EdgeEvent> events = new CopyOnWriteArrayList<>();
        try (GpioLine button = controller.request(3, LineSettings.input(), "guest")) {
            sim.pull(3, false);
            EdgeSubscription subscription = button.watchEdges(EdgeDetection.BOTH, events::add);
            sim.pull(3, true);
            sim.pull(3, false);
            sim.pull(3, true);
            Await.until(() -> events.size() >= 3, TIMEOUT, events::toString);
            assertEquals(List.of(Edge.RISING, Edge.FALLING, Edge.RISING), events.stream().map(EdgeEvent::edge).toList());
            for (int i = 0; i < 3; i++) {
                EdgeEvent event = events.get(i);
                assertEquals(3, event.offset());
                assertEquals(i + 1, event.controllerSequence());
                assertEquals(i + 1, event.lineSequence());
                if (i > 0) {
                    assertTrue(event.timestampNanos() > events.get(i - 1).timestampNanos(), events.toString());
                }
            }
            assertEquals(Reason.BUSY,
                    assertThrows(GpioException.class, () -> button.watchEdges(EdgeDetection.BOTH, e -> { })).reason());
            subscription.close();
            sim.pull(3, false);
            assertFalse(button.getValue());
            assertEquals(3, events.size(), "no event after the subscription closed: " + events);

            List<EdgeEvent> falling = new CopyOnWriteArrayList<>();
            EdgeSubscription again = button.watchEdges(EdgeDetection.FALLING, falling::add);
            sim.pull(3, true);
            sim.pull(3, false);
            Await.until(() -> falling.size() >= 1, TIMEOUT, falling::toString);
            assertEquals(List.of(Edge.FALLING), falling.stream().map(EdgeEvent::edge).toList(), "only falling edges");
            again.close();
        }
    }

    @Test
    void aLineHeldElsewhereIsBusyAndNamesItsHolder() throws Exception {
        CdevController controller = open();
        CdevController other = open(LABEL, new int[0], "other-holder", LineDefaults.NONE);
        try (GpioLine held = other.request(4, LineSettings.output(false), "")) {
            assertFalse(held.getValue());
            GpioException busy = assertThrows(GpioException.class,
                    () -> controller.request(4, LineSettings.input(), "guest"));
            assertEquals(Reason.BUSY, busy.reason());
            assertTrue(busy.getMessage().contains("EBUSY") && busy.getMessage().contains("'other-holder'"),
                    busy.getMessage());
        }
        controller.request(4, LineSettings.input(), "guest").close();

        Process gpioset = new ProcessBuilder("gpioset", "--mode=signal", sim.chipName(), "6=1").inheritIO().start();
        try {
            Await.until(() -> holder(controller, 6).equals("gpioset"), TIMEOUT, () -> "line 6 not taken by gpioset");
            GpioException busy = assertThrows(GpioException.class,
                    () -> controller.request(6, LineSettings.input(), "guest"));
            assertEquals(Reason.BUSY, busy.reason());
            assertTrue(busy.getMessage().contains("'gpioset'"), busy.getMessage());
        } finally {
            gpioset.destroy();
            gpioset.waitFor();
        }
        Await.until(() -> holder(controller, 6).isEmpty(), TIMEOUT, () -> "gpioset did not release line 6");
        controller.request(6, LineSettings.input(), "guest").close();

        GpioException hogged = assertThrows(GpioException.class,
                () -> controller.request(HOGGED, LineSettings.input(), "guest"));
        assertEquals(Reason.BUSY, hogged.reason());
        assertTrue(hogged.getMessage().contains("'kernel-hog'"), hogged.getMessage());
    }

    private static String holder(CdevController controller, int offset) {
        try {
            return controller.lineInfo(offset).consumer();
        } catch (GpioException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theComponentWithdrawsItsServiceWhenTheChipGoes() throws Exception {
        RecordingBundleContext framework = new RecordingBundleContext();
        CdevComponent component = new CdevComponent(syscalls, framework.context(),
                () -> new CdevController.Options(LABEL, new int[0], "vgpio", "", LineDefaults.NONE),
                Map.of("gpio.backend", "cdev"), new RecordingRefusals());
        assertEquals(LABEL, framework.properties.get().get("gpio.label"));
        assertEquals("cdev", framework.properties.get().get("gpio.backend"));
        GpioLine led = framework.service.get().request(0, LineSettings.output(true), "guest");
        assertTrue(sim.value(0));
        sim.unplug();
        Await.until(() -> framework.unregistrations.get() == 1, TIMEOUT, () -> "the service is still registered");
        assertEquals(Reason.RELEASED, assertThrows(GpioException.class, led::getValue).reason());
        component.deactivate();
        assertEquals(1, framework.unregistrations.get());
    }

    @Test
    void survivesTheChipGoingAway() throws Exception {
        CdevController controller = open();
        GpioLine led = controller.request(0, LineSettings.output(true), "guest");
        GpioLine button = controller.request(3, LineSettings.input(), "guest");
        List<EdgeEvent> events = new CopyOnWriteArrayList<>();
        button.watchEdges(EdgeDetection.BOTH, events::add);
        sim.unplug();
        GpioException gone = assertThrows(GpioException.class, () -> led.setValue(false));
        assertTrue(gone.reason() == Reason.IO || gone.reason() == Reason.RELEASED, gone.toString());
        assertTrue(lost.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the controller reports the chip lost");
        assertEquals(Reason.RELEASED, assertThrows(GpioException.class, button::getValue).reason());
        assertEquals(Reason.RELEASED,
                assertThrows(GpioException.class, () -> controller.request(1, LineSettings.input(), "")).reason());
        led.close();
        button.close();
        controller.close();
    }
}
