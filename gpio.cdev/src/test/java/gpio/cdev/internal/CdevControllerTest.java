// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.Bias;
import gpio.api.Drive;
import gpio.api.Edge;
import gpio.api.EdgeDetection;
import gpio.api.EdgeEvent;
import gpio.api.EdgeSubscription;
import gpio.api.GpioException;
import gpio.api.GpioException.Reason;
import gpio.api.GpioLine;
import gpio.api.LineInfo;
import gpio.api.LineSettings;
import gpio.cdev.internal.uapi.ErrnoException;
import gpio.cdev.internal.uapi.FakeKernel;
import gpio.cdev.internal.uapi.Ioctl;
import gpio.cdev.internal.uapi.LineFlag;

/** The controller against a fake kernel behind the system call seam. */
class CdevControllerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String CHIP = "/dev/gpiochip1";

    private final FakeKernel kernel = new FakeKernel();
    private final AtomicInteger lostCalls = new AtomicInteger();
    private final CountDownLatch lost = new CountDownLatch(1);
    private CdevController controller;

    CdevControllerTest() {
        kernel.addChip("/dev/gpiochip0", "soc-gpio", 32);
        kernel.addChip(CHIP, "expander", 8);
    }

    private CdevController open(String chip, int[] offsets, LineDefaults defaults) throws GpioException {
        controller = CdevController.open(kernel, new CdevController.Options(chip, offsets, "vgpio", "", defaults), () -> {
            lostCalls.incrementAndGet();
            lost.countDown();
        });
        return controller;
    }

    private CdevController open() throws GpioException {
        return open(CHIP, new int[0], LineDefaults.NONE);
    }

    @AfterEach
    void closeController() {
        if (controller != null) {
            controller.close();
        }
        assertEquals(0, kernel.openFds(), "every fd is closed once the controller is");
    }

    @Test
    void findsChipsByPathNameOrLabel() throws Exception {
        assertEquals("gpiochip1", open("expander", new int[0], LineDefaults.NONE).chipName());
        assertEquals("expander", controller.label(), "the label defaults to the chip's");
        assertEquals(8, controller.lineCount());
        controller.close();
        assertEquals("gpiochip0", open("gpiochip0", new int[0], LineDefaults.NONE).chipName());
        controller.close();
        controller = CdevController.open(kernel,
                new CdevController.Options(CHIP, new int[0], "vgpio", "board-pins", LineDefaults.NONE), () -> { });
        assertEquals("board-pins", controller.label());

        GpioException missing = assertThrows(GpioException.class, () -> open("nothing", new int[0], LineDefaults.NONE));
        assertEquals(Reason.INVALID_ARGUMENT, missing.reason());
        assertTrue(missing.getMessage().contains("/dev/gpiochip0, /dev/gpiochip1"), missing.getMessage());
    }

    @Test
    void rejectsOffsetsTheChipDoesNotHave() {
        GpioException outside = assertThrows(GpioException.class, () -> open(CHIP, new int[] {1, 8}, LineDefaults.NONE));
        assertEquals(Reason.INVALID_ARGUMENT, outside.reason());
        assertTrue(outside.getMessage().contains("not 8"), outside.getMessage());
        controller = null;
    }

    @Test
    void rejectsRepeatedAndNegativeOffsetsBeforeOpeningTheChip() {
        assertEquals("offsets: line 2 is listed twice", assertThrows(IllegalArgumentException.class,
                () -> new CdevController.Options(CHIP, new int[] {2, 2}, "vgpio", "", LineDefaults.NONE)).getMessage());
        assertEquals("offsets: -1 is not a line offset (0 or more)", assertThrows(IllegalArgumentException.class,
                () -> new CdevController.Options(CHIP, new int[] {-1}, "vgpio", "", LineDefaults.NONE)).getMessage());
    }

    @Test
    void mapsControllerOffsetsToTheConfiguredChipLines() throws Exception {
        open(CHIP, new int[] {6, 2}, LineDefaults.NONE);
        assertEquals(2, controller.lineCount());
        try (GpioLine line = controller.request(0, LineSettings.output(true), "guest")) {
            assertTrue(kernel.level(CHIP, 6));
            assertEquals(0, line.offset());
            LineInfo info = controller.lineInfo(0);
            assertEquals("line6", info.name());
            assertEquals("vgpio:guest", info.consumer());
        }
        GpioException outside = assertThrows(GpioException.class, () -> controller.lineInfo(2));
        assertEquals(Reason.INVALID_ARGUMENT, outside.reason());
    }

    @Test
    void readsInputsAndDrivesOutputs() throws Exception {
        open();
        try (GpioLine input = controller.request(3, LineSettings.input(), "");
                GpioLine output = controller.request(4, LineSettings.output(false), "")) {
            kernel.pull(CHIP, 3, true);
            assertTrue(input.getValue());
            kernel.pull(CHIP, 3, false);
            assertFalse(input.getValue());
            assertFalse(kernel.level(CHIP, 4));
            output.setValue(true);
            assertTrue(kernel.level(CHIP, 4));
            assertEquals(Reason.INVALID_ARGUMENT, assertThrows(GpioException.class, () -> input.setValue(true)).reason());
        }
        assertEquals(Reason.RELEASED, assertThrows(GpioException.class, () -> {
            GpioLine line = controller.request(3, LineSettings.input(), "");
            line.close();
            line.getValue();
        }).reason());
    }

    @Test
    void configuredDefaultsFillWhatTheConsumerLeavesOpen() throws Exception {
        open(CHIP, new int[0], new LineDefaults(Bias.PULL_DOWN, Drive.OPEN_DRAIN, true, Duration.ofMillis(5)));
        try (GpioLine input = controller.request(0, LineSettings.input(), "");
                GpioLine pulledUp = controller.request(1, LineSettings.input().withBias(Bias.PULL_UP), "");
                GpioLine output = controller.request(2, LineSettings.output(true), "")) {
            assertEquals(LineFlag.USED | LineFlag.INPUT | LineFlag.ACTIVE_LOW | LineFlag.BIAS_PULL_DOWN,
                    kernel.flags(CHIP, 0));
            assertEquals(LineFlag.USED | LineFlag.INPUT | LineFlag.ACTIVE_LOW | LineFlag.BIAS_PULL_UP,
                    kernel.flags(CHIP, 1));
            assertEquals(LineFlag.USED | LineFlag.OUTPUT | LineFlag.ACTIVE_LOW | LineFlag.BIAS_PULL_DOWN
                    | LineFlag.OPEN_DRAIN, kernel.flags(CHIP, 2));
            assertFalse(kernel.level(CHIP, 2), "active-low: active drives low");
            assertEquals(LineSettings.output(true), output.settings());
            kernel.pull(CHIP, 0, false);
            assertTrue(input.getValue(), "active-low: low reads active");
            assertEquals(LineSettings.input().withBias(Bias.PULL_UP), pulledUp.settings());
        }
    }

    @Test
    void busyLinesNameTheirHolderAndErrnosMapToReasons() throws Exception {
        kernel.hold(CHIP, 5, "someone-else");
        open();
        GpioException busy = assertThrows(GpioException.class, () -> controller.request(5, LineSettings.input(), ""));
        assertEquals(Reason.BUSY, busy.reason());
        assertTrue(busy.getMessage().contains("EBUSY (errno 16)") && busy.getMessage().contains("held by 'someone-else'"),
                busy.getMessage());

        kernel.failNext(Ioctl.GET_LINE, ErrnoException.EOPNOTSUPP);
        GpioException unsupported = assertThrows(GpioException.class,
                () -> controller.request(1, LineSettings.input().withBias(Bias.PULL_UP), ""));
        assertEquals(Reason.UNSUPPORTED, unsupported.reason());
        assertTrue(unsupported.getMessage().contains("errno 95"), unsupported.getMessage());

        try (GpioLine line = controller.request(1, LineSettings.input(), "")) {
            kernel.failNext(Ioctl.LINE_GET_VALUES, ErrnoException.EIO);
            GpioException io = assertThrows(GpioException.class, line::getValue);
            assertEquals(Reason.IO, io.reason());
            assertTrue(io.getMessage().contains("line 1 of expander") && io.getMessage().contains("EIO (errno 5)"),
                    io.getMessage());
            kernel.failNext(Ioctl.LINE_SET_CONFIG, ErrnoException.EINVAL);
            assertEquals(Reason.INVALID_ARGUMENT,
                    assertThrows(GpioException.class, () -> line.reconfigure(LineSettings.output(true))).reason());
            assertEquals(LineSettings.input(), line.settings(), "a failed reconfigure keeps the old settings");
        }
    }

    @Test
    void deliversEdgesWithSequenceNumbersAndCountsLostOnes() throws Exception {
        open();
        List<EdgeEvent> events = new CopyOnWriteArrayList<>();
        try (GpioLine button = controller.request(2, LineSettings.input(), "")) {
            EdgeSubscription subscription = button.watchEdges(EdgeDetection.BOTH, events::add);
            kernel.pull(CHIP, 2, true);
            kernel.pull(CHIP, 2, false);
            Await.until(() -> events.size() == 2, TIMEOUT, events::toString);
            kernel.loseEvents(CHIP, 2, 3);
            kernel.pull(CHIP, 2, true);
            Await.until(() -> events.size() == 3, TIMEOUT, events::toString);
            assertEquals(List.of(Edge.RISING, Edge.FALLING, Edge.RISING), events.stream().map(EdgeEvent::edge).toList());
            assertEquals(List.of(1L, 2L, 6L), events.stream().map(EdgeEvent::lineSequence).toList());
            assertEquals(List.of(1L, 2L, 6L), events.stream().map(EdgeEvent::controllerSequence).toList(),
                    "lost events leave a gap in the controller's sequence");
            assertTrue(events.get(1).timestampNanos() > events.get(0).timestampNanos());
            assertEquals(Reason.INVALID_ARGUMENT,
                    assertThrows(GpioException.class, () -> button.reconfigure(LineSettings.output(false))).reason());
            subscription.close();
            subscription.close();
            kernel.pull(CHIP, 2, false);
            assertFalse(button.getValue());
            assertEquals(3, events.size(), "nothing after close");
            assertEquals(LineFlag.USED | LineFlag.INPUT, kernel.flags(CHIP, 2), "edge detection is off again");
        }
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        open();
        List<EdgeEvent> events = new CopyOnWriteArrayList<>();
        try (GpioLine failing = controller.request(0, LineSettings.input(), "");
                GpioLine working = controller.request(1, LineSettings.input(), "")) {
            failing.watchEdges(EdgeDetection.RISING, event -> {
                throw new IllegalStateException("listener bug");
            });
            working.watchEdges(EdgeDetection.RISING, events::add);
            kernel.pull(CHIP, 0, true);
            kernel.pull(CHIP, 1, true);
            Await.until(() -> events.size() == 1, TIMEOUT, events::toString);
            assertEquals(1, events.get(0).offset());
        }
    }

    @Test
    void aListenerMayCloseItsLine() throws Exception {
        open();
        CountDownLatch closed = new CountDownLatch(1);
        GpioLine line = controller.request(0, LineSettings.input(), "");
        line.watchEdges(EdgeDetection.BOTH, event -> {
            line.close();
            closed.countDown();
        });
        kernel.pull(CHIP, 0, true);
        assertTrue(closed.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertFalse(controller.lineInfo(0).used());
    }

    @Test
    void aChipThatGoesAwayReleasesItsLinesAndIsReportedOnce() throws Exception {
        open();
        GpioLine line = controller.request(0, LineSettings.output(true), "");
        GpioLine watched = controller.request(1, LineSettings.input(), "");
        watched.watchEdges(EdgeDetection.BOTH, event -> { });
        kernel.unplug(CHIP);
        GpioException gone = assertThrows(GpioException.class, () -> line.setValue(false));
        assertEquals(Reason.IO, gone.reason());
        assertTrue(gone.getMessage().contains("ENODEV") && gone.getMessage().contains("the chip is gone"),
                gone.getMessage());
        assertTrue(lost.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the chip is reported lost");
        assertEquals(Reason.RELEASED, assertThrows(GpioException.class, line::getValue).reason());
        assertEquals(Reason.RELEASED, assertThrows(GpioException.class, watched::getValue).reason());
        assertEquals(Reason.RELEASED,
                assertThrows(GpioException.class, () -> controller.request(2, LineSettings.input(), "")).reason());
        int ioctls = kernel.ioctls().size();
        assertEquals(Reason.IO, assertThrows(GpioException.class, () -> controller.lineInfo(0)).reason());
        assertEquals(ioctls, kernel.ioctls().size(), "no call reaches the closed chip fd, whose number may be reused");
        controller.close();
        assertEquals(1, lostCalls.get());
    }

    @Test
    void anIdleControllerNoticesTheChipGoing() throws Exception {
        open();
        kernel.unplug(CHIP);
        assertTrue(lost.await(EdgePoller.IDLE_PROBE_MILLIS * 5L, TimeUnit.MILLISECONDS),
                "the poller probes the chip when idle");
    }

    @Test
    void closeReleasesEveryLine() throws Exception {
        open();
        controller.request(0, LineSettings.output(true), "");
        controller.request(1, LineSettings.input(), "").watchEdges(EdgeDetection.BOTH, event -> { });
        controller.close();
        assertEquals(0, kernel.openFds());
        assertEquals(0, lostCalls.get(), "closing is not losing the chip");
    }
}
