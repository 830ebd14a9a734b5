// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gpio.api.GpioController;
import gpio.api.LineSettings;
import gpio.sim.internal.SimChips;
import gpio.virtio.internal.DeviceCounters;
import gpio.virtio.internal.DeviceStatus;

/** The status the GPIO page shows, over a real simulated chip and a device snapshot. */
class GpioConsolePluginTest {

    private final Object chip = SimChips.create("sim0", "LED", "<B\"T>");
    private final DeviceStatus device = () -> new DeviceStatus.Snapshot("/run/gpio0.sock", false, 0, "", 0,
            new DeviceCounters.Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            List.of(new DeviceStatus.GuestLine(0, 1, "level-low")));
    private final GpioConsolePlugin plugin = new GpioConsolePlugin(
            List.of(Map.entry(Map.of(GpioController.BACKEND_PROPERTY, "sim"), (GpioController) chip)),
            List.of(Map.entry(Map.of("service.pid", "gpio.virtio.x", "controller.target", "(gpio.label=*)"),
                    device)));

    @AfterEach
    void stop() {
        SimChips.close(chip);
    }

    @Test
    void statusListsControllersWithLinesAndDevicesWithCounters() throws Exception {
        try (var line = ((GpioController) chip).request(0, LineSettings.output(true), "vm")) {
            assertTrue(line.getValue());
            assertEquals("{\"controllers\":[{\"label\":\"sim0\",\"backend\":\"sim\",\"lineCount\":2,"
                    + "\"lines\":[{\"offset\":0,\"name\":\"LED\",\"used\":true,\"consumer\":\"vm\","
                    + "\"direction\":\"output\",\"activeLow\":false,\"bias\":\"as_is\",\"drive\":\"push_pull\"},"
                    + "{\"offset\":1,\"name\":\"\\u003cB\\\"T\\u003e\",\"used\":false,\"consumer\":\"\",\"direction\":\"input\","
                    + "\"activeLow\":false,\"bias\":\"as_is\",\"drive\":\"push_pull\"}]}],"
                    + "\"devices\":[{\"pid\":\"gpio.virtio.x\",\"socket\":\"/run/gpio0.sock\",\"connected\":false,"
                    + "\"features\":[],\"controller\":\"\",\"target\":\"(gpio.label=*)\",\"lineCount\":0,"
                    + "\"requests\":{\"total\":0,\"getLineNames\":0,\"getDirection\":0,\"setDirection\":0,"
                    + "\"getValue\":0,\"setValue\":0,\"setIrqType\":0,\"unknown\":0},\"errors\":0,"
                    + "\"interrupts\":{\"delivered\":0,\"latched\":0,\"dropped\":0},"
                    + "\"interruptLines\":[{\"line\":0,\"offset\":1,\"interrupt\":\"level-low\"}]}]}", plugin.status());
        }
    }

    @Test
    void thePageIsInTheBundle() throws Exception {
        try (var in = GpioConsolePlugin.class.getResourceAsStream("page.html")) {
            String page = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(page.contains("id=\"gpio-devices\""), page);
            assertTrue(page.contains("/status.json"), page);
        }
    }
}
