// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.service.component.ComponentConstants;

import gpio.api.GpioController;
import gpio.form.internal.RecordingRefusals;
import gpio.form.internal.Refusals;
import gpio.vhostuser.Endpoint;
import gpio.vhostuser.VhostUserTransport;
import gpio.vhostuser.VirtioDevice;

/** Configuration checks and the component's reaction to configuration and controller changes. */
class VirtioGpioComponentTest {

    /** The component properties SCR passes: they name the configuration instance. */
    private static final Map<String, Object> INSTANCE = Map.of("service.pid", "gpio.virtio~vm0",
            "service.factoryPid", "gpio.virtio");

    /** A transport that records what it was asked to do. */
    static final class RecordingTransport implements VhostUserTransport {
        final List<FakeEndpoint> opened = new ArrayList<>();
        /** A path open refuses, as the real transport refuses one it cannot listen on. */
        Path refused;

        @Override
        public Endpoint open(Path socketPath, Set<PosixFilePermission> mode, VirtioDevice device)
                throws IOException {
            if (socketPath.equals(refused)) {
                throw new IOException("cannot listen on " + socketPath);
            }
            FakeEndpoint e = new FakeEndpoint(socketPath, device);
            opened.add(e);
            return e;
        }
    }

    static final class FakeEndpoint implements Endpoint {
        Path path;
        final VirtioDevice device;
        boolean closed;

        FakeEndpoint(Path path, VirtioDevice device) {
            this.path = path;
            this.device = device;
        }

        @Override
        public Path socketPath() {
            return path;
        }

        @Override
        public boolean connected() {
            return false;
        }

        @Override
        public long negotiatedFeatures() {
            return 0;
        }

        @Override
        public void moveTo(Path newPath, Set<PosixFilePermission> mode) {
            path = newPath;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * The component as SCR starts it: constructed, the controller bound if one is
     * given (dynamic references are bound before activation), then activated.
     */
    static VirtioGpioComponent activated(VhostUserTransport transport, VirtioGpioConfiguration config,
            GpioController controller) throws IOException {
        return activated(transport, config, controller, null, new RecordingRefusals());
    }

    /** {@link #activated(VhostUserTransport, VirtioGpioConfiguration, GpioController)} keeping the guest's state in a file. */
    static VirtioGpioComponent activated(VhostUserTransport transport, VirtioGpioConfiguration config,
            GpioController controller, Path savedGuestFile) throws IOException {
        return activated(transport, config, controller, savedGuestFile, new RecordingRefusals());
    }

    /** As the method above, reporting to {@code refusals}. */
    static VirtioGpioComponent activated(VhostUserTransport transport, VirtioGpioConfiguration config,
            GpioController controller, Path savedGuestFile, Refusals refusals) throws IOException {
        VirtioGpioComponent component = new VirtioGpioComponent(transport, config, savedGuestFile, INSTANCE,
                refusals);
        if (controller != null) {
            component.bindController(controller);
        }
        component.activate();
        return component;
    }

    static VirtioGpioConfiguration config(String path, String mode, String target, String lines, String... names) {
        return config(path, mode, target, lines, 5000, 2, names);
    }

    static VirtioGpioConfiguration config(String path, String mode, String target, String lines, int timeoutMillis,
            int workers, String... names) {
        return config(path, mode, target, lines, "", new String[0], timeoutMillis, workers, names);
    }

    static VirtioGpioConfiguration config(String path, String mode, String target, String lines, String readOnly,
            String[] safeStates, int timeoutMillis, int workers, String... names) {
        return config(path, mode, target, lines, readOnly, safeStates, timeoutMillis, workers, 0, names);
    }

    static VirtioGpioConfiguration config(String path, String mode, String target, String lines, String readOnly,
            String[] safeStates, int timeoutMillis, int workers, int ringPollMicros, String... names) {
        return new VirtioGpioConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return VirtioGpioConfiguration.class;
            }

            @Override
            public String socket_path() {
                return path;
            }

            @Override
            public String socket_mode() {
                return mode;
            }

            @Override
            public String controller_target() {
                return target;
            }

            @Override
            public String lines() {
                return lines;
            }

            @Override
            public String[] line_names() {
                return names;
            }

            @Override
            public String lines_readonly() {
                return readOnly;
            }

            @Override
            public String[] safe_state() {
                return safeStates;
            }

            @Override
            public String consumer() {
                return "virtio-gpio";
            }

            @Override
            public boolean interrupts() {
                return true;
            }

            @Override
            public int request_timeout_ms() {
                return timeoutMillis;
            }

            @Override
            public int worker_threads() {
                return workers;
            }

            @Override
            public int ring_poll_us() {
                return ringPollMicros;
            }
        };
    }

    private static String refusal(VirtioGpioConfiguration config) {
        return assertThrows(IllegalArgumentException.class, () -> DeviceSettings.from(config)).getMessage();
    }

    @Test
    void invalidValuesAreRefusedWithTheReason() {
        assertTrue(refusal(config("", "rw-------", "(a=b)", "")).startsWith("socket.path is missing"));
        assertTrue(refusal(config("rel/sock", "rw-------", "(a=b)", "")).contains("not an absolute path"));
        assertTrue(refusal(config("/tmp/s", "rwx", "(a=b)", "")).startsWith("socket.mode \"rwx\""));
        assertTrue(refusal(config("/tmp/s", "rw-------", "gpio.label=x", "")).startsWith("controller.target"));
        assertTrue(refusal(config("/tmp/s", "rw-------", "(a=b)", "3-1")).contains("runs backwards"));
        assertTrue(refusal(config("/tmp/s", "rw-------", "(a=b)", "0,x")).contains("\"x\""));
        assertTrue(refusal(config("/tmp/s", "rw-------", "(a=b)", "0-2000000000")).contains("more than 65535"));
        assertTrue(refusal(config("/tmp/s", "rw-------", "(a=b)", "", "LED")).contains("offset=name"));
        assertTrue(refusal(config("/tmp/s", "rw-------", "(a=b)", "", "1=A", "2=A")).contains("unique"));
        assertTrue(refusal(config("/tmp/s", "rw-------", "(a=b)", "", "1=\u00e9")).contains("7-bit ASCII"));
    }

    @Test
    void validConfigurationIsParsed() {
        DeviceSettings s = DeviceSettings.from(config("/tmp/s", "rw-rw----", "(gpio.label=sim0)", "0-2, 7",
                "7=LED", " "));
        assertEquals(Path.of("/tmp/s"), s.socketPath());
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), s.socketMode());
        assertEquals(List.of(0, 1, 2, 7), java.util.Arrays.stream(s.options().lines()).boxed().toList());
        assertEquals(Map.of(3, "LED"), s.options().names(), "by guest line: offset 7 is guest line 3");
    }

    @Test
    void theSamePathSpelledDifferentlyIsNotAMove() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        VirtioGpioComponent component = activated(transport, config("/tmp/a", "rw-------", "(gpio.label=x)", ""),
                null);
        FakeEndpoint endpoint = transport.opened.get(0);
        component.modified(config("/tmp/./b/../a", "rw-------", "(gpio.label=x)", ""));
        assertEquals(1, transport.opened.size(), "neither reopened");
        assertEquals(Path.of("/tmp/a"), endpoint.path, "nor moved");
        assertFalse(endpoint.closed);
    }

    @Test
    void pathChangeMovesTheEndpointOtherChangesRestartTheDevice() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        TestController controller = new TestController("x", "l0", "l1");
        VirtioGpioComponent component = activated(transport, config("/tmp/a", "rw-------", "(gpio.label=x)", ""),
                controller);
        FakeEndpoint first = transport.opened.get(0);
        ByteBuffer config = ByteBuffer.allocate(2);
        first.device.readConfig(0, config);
        assertEquals(2, config.get(0), "ngpio from the bound controller");

        component.modified(config("/tmp/b", "rw-------", "(gpio.label=x)", ""));
        assertEquals(1, transport.opened.size(), "moved, not reopened");
        assertEquals(Path.of("/tmp/b"), first.path);
        assertFalse(first.closed);

        component.modified(config("/tmp/b", "rw-------", "(gpio.label=x)", "1"));
        assertTrue(first.closed);
        FakeEndpoint second = transport.opened.get(1);
        assertNotSame(first.device, second.device);
        ByteBuffer narrowed = ByteBuffer.allocate(2);
        second.device.readConfig(0, narrowed);
        assertEquals(1, narrowed.get(0), "one line selected");

        component.modified(config("/tmp/b", "bad", "(gpio.label=x)", "1"));
        assertSame(second, transport.opened.get(transport.opened.size() - 1), "invalid change refused");
        assertFalse(second.closed);

        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
        assertTrue(second.closed);
    }

    @Test
    void ringPollingChangesApplyToTheRunningDeviceAndOutOfRangeIsRefused() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        VirtioGpioComponent component = activated(transport, config("/tmp/a", "rw-------", "(gpio.label=x)", ""),
                null);
        FakeEndpoint endpoint = transport.opened.get(0);
        assertEquals(0, endpoint.device.ringPollNanos(), "no polling by default");

        component.modified(config("/tmp/a", "rw-------", "(gpio.label=x)", "", "", new String[0], 5000, 2, 50));
        assertEquals(1, transport.opened.size(), "the device stays");
        assertEquals(50_000, endpoint.device.ringPollNanos());

        assertTrue(refusal(config("/tmp/a", "rw-------", "(gpio.label=x)", "", "", new String[0], 5000, 2, 1001))
                .startsWith("ring.poll.us 1001 is outside 0..1000"));
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }

    @Test
    void eachOutcomeIsReportedForThePage() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        RecordingRefusals refusals = new RecordingRefusals();
        VirtioGpioComponent component = activated(transport, config("/tmp/a", "rw-------", "(gpio.label=x)", ""),
                null, null, refusals);
        component.modified(config("/tmp/a", "bad", "(gpio.label=x)", ""));
        transport.refused = Path.of("/tmp/c");
        component.modified(config("/tmp/c", "rw-------", "(gpio.label=x)", "0"));
        component.modified(config("/tmp/a", "rw-------", "(gpio.label=x)", "0"));
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
        assertEquals(List.of("accepted gpio.virtio~vm0",
                "refused gpio.virtio~vm0 (previous running): " + refusal(config("/tmp/a", "bad", "(a=b)", "")),
                "refused gpio.virtio~vm0 (previous running): configuration change not applied, the last good"
                        + " configuration serves again on /tmp/a: cannot listen on /tmp/c",
                "accepted gpio.virtio~vm0", "stopped gpio.virtio~vm0"), refusals.reports);
    }

    @Test
    void refusedAtActivationIsReportedWithNothingRunning() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        RecordingRefusals refusals = new RecordingRefusals();
        assertThrows(IllegalArgumentException.class, () -> activated(transport,
                config("relative", "rw-------", "(gpio.label=x)", ""), null, null, refusals));
        transport.refused = Path.of("/tmp/c");
        IOException unserved = assertThrows(IOException.class, () -> activated(transport,
                config("/tmp/c", "rw-------", "(gpio.label=x)", ""), null, null, refusals));
        assertEquals(List.of("refused gpio.virtio~vm0 (none running): "
                + refusal(config("relative", "rw-------", "(a=b)", "")),
                "refused gpio.virtio~vm0 (none running): cannot serve the device: " + unserved.getMessage()),
                refusals.reports);
    }

    @Test
    void aRestartThatFailsBringsTheLastGoodDeviceBackOnItsSocket() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        VirtioGpioComponent component = activated(transport,
                config("/tmp/a", "rw-------", "(gpio.label=x)", "0-1"), new TestController("x", "l0", "l1"));
        transport.refused = Path.of("/tmp/c");

        component.modified(config("/tmp/c", "rw-------", "(gpio.label=x)", "1"));

        assertTrue(transport.opened.get(0).closed, "the old device was stopped for the restart");
        FakeEndpoint back = transport.opened.get(transport.opened.size() - 1);
        assertEquals(Path.of("/tmp/a"), back.path, "serving again on the old socket");
        assertFalse(back.closed);
        ByteBuffer config = ByteBuffer.allocate(2);
        back.device.readConfig(0, config);
        assertEquals(2, config.get(0), "with the old line selection");
        assertEquals("/tmp/a", component.status().socketPath());
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }

    @Test
    void unbindOfAReplacedControllerKeepsTheNewOne() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        TestController a = new TestController("a", "l0");
        TestController b = new TestController("b", "m0");
        VirtioGpioComponent component = activated(transport, config("/tmp/a", "rw-------", "(gpio.label=*)", ""), a);
        component.bindController(b); // greedy: the replacement is bound first
        component.unbindController(a);
        GpioDevice device = (GpioDevice) transport.opened.get(0).device;
        assertSame(b, device.controller());
        component.unbindController(b);
        assertEquals(null, device.controller());
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }

    private static Map<String, Object> service(String label, long id, int ranking) {
        return Map.of(GpioController.LABEL_PROPERTY, label, "service.id", id, "service.ranking", ranking);
    }

    @Test
    void aComposedChipBindsEachLabelToTheBestControllerWithItAndIgnoresControllerTarget() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        TestController a = new TestController("a", "a0");
        TestController b = new TestController("b", "b0", "b1");
        TestController unrelated = new TestController("x", "x0");
        VirtioGpioComponent component = new VirtioGpioComponent(transport,
                config("/tmp/a", "rw-------", "(gpio.label=*)", "b:1, a:0", "a:0", new String[] {"b:1=low"}, 5000, 2),
                (Path) null, INSTANCE, new RecordingRefusals());
        component.bindController(unrelated); // the controller reference, which a composed chip does not use
        component.bindLabelled(unrelated, service("x", 1, 0));
        component.bindLabelled(a, service("a", 2, 0));
        component.activate();
        GpioDevice device = (GpioDevice) transport.opened.get(0).device;
        assertEquals(null, device.controller(0), "b is not there yet");
        assertSame(a, device.controller(1));

        component.bindLabelled(b, service("b", 3, 0));
        assertSame(b, device.controller(0));
        TestController newerA = new TestController("a", "A0");
        component.bindLabelled(newerA, service("a", 4, 0));
        assertSame(a, device.controller(1), "equal ranking: the older service stays, as SCR keeps it");
        component.unbindLabelled(a, service("a", 2, 0));
        assertSame(newerA, device.controller(1), "the other controller labelled a takes over");
        TestController rankedB = new TestController("b", "B0", "B1");
        component.bindLabelled(rankedB, service("b", 5, 10));
        assertSame(rankedB, device.controller(0), "a higher ranking wins");
        component.updatedLabelled(rankedB, service("renamed", 5, 10));
        assertSame(b, device.controller(0), "relabelled away: back to the other b");
        component.unbindController(unrelated);
        assertSame(b, device.controller(0), "the controller reference changes nothing");

        DeviceStatus.Snapshot status = component.status();
        assertEquals(2, status.lineCount());
        assertEquals("b, a", status.controller());
        assertEquals(List.of(new DeviceStatus.MappedLine(0, "b", true, 1, "b1", false, "low"),
                new DeviceStatus.MappedLine(1, "a", true, 0, "A0", true, "release")), status.lines());
        component.unbindLabelled(b, service("b", 3, 0));
        assertEquals(new DeviceStatus.MappedLine(0, "b", false, 1, "", false, "low"), component.status().lines().get(0),
                "not bound: no name, ERR");
        component.deactivate(ComponentConstants.DEACTIVATION_REASON_DISPOSED);
    }
}
