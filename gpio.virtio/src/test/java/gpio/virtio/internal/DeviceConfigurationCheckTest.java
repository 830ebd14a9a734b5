// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.webconsole.spi.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gpio.form.internal.ComponentProperties;

/** The web console refuses a device configuration that the device would refuse, with the same message. */
class DeviceConfigurationCheckTest {

    /** ConfigAdmin is asked only for edits that do not name the factory; none here does. */
    private final DeviceConfigurationCheck check = new DeviceConfigurationCheck(null);
    @TempDir
    static Path socketDirectory;

    private static Hashtable<String, Object> valid() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("socket.path", socketDirectory.resolve("gpio0.sock").toString());
        properties.put("controller.target", "(gpio.label=sim0)");
        properties.put("request.timeout.ms", 5000);
        properties.put("line.names", new String[] {"3=LED"});
        return properties;
    }

    @Test
    void aValidConfigurationPasses() throws Exception {
        check.updateConfiguration("gpio.virtio", "gpio.virtio.1", valid());
    }

    @Test
    void propertiesReadAsDsWouldGiveThem() {
        Hashtable<String, Object> properties = valid();
        properties.put("worker.threads", "3");
        VirtioGpioConfiguration config = ComponentProperties.as(VirtioGpioConfiguration.class, properties);
        assertEquals(socketDirectory.resolve("gpio0.sock").toString(), config.socket_path());
        assertEquals("rw-------", config.socket_mode(), "the default");
        assertEquals(3, config.worker_threads());
        assertArrayEquals(new String[] {"3=LED"}, config.line_names());
    }

    @Test
    void invalidValuesAreRefusedWithTheDevicesMessage() {
        Hashtable<String, Object> badMode = valid();
        badMode.put("socket.mode", "rw-rw-rw");
        assertEquals("socket.mode \"rw-rw-rw\" is not nine permission characters like rw-------",
                assertThrows(ValidationException.class,
                        () -> check.updateConfiguration("gpio.virtio", "gpio.virtio.1", badMode)).getMessage());
        Hashtable<String, Object> badTarget = valid();
        badTarget.put("controller.target", "gpio.label=sim0");
        assertEquals("controller.target \"gpio.label=sim0\" is not an LDAP filter like (gpio.label=sim0)",
                assertThrows(ValidationException.class,
                        () -> check.updateConfiguration("gpio.virtio", "gpio.virtio.1", badTarget)).getMessage());
        Hashtable<String, Object> relative = valid();
        relative.put("socket.path", "gpio0.sock");
        assertEquals("socket.path \"gpio0.sock\" is not an absolute path", assertThrows(ValidationException.class,
                () -> check.updateConfiguration("gpio.virtio", "gpio.virtio.1", relative)).getMessage());
    }

    @Test
    void aSocketDirectoryThatDoesNotExistIsRefused() {
        Hashtable<String, Object> properties = valid();
        String path = socketDirectory.resolve("missing/gpio0.sock").toString();
        properties.put("socket.path", path);
        properties.put("worker.threads", 3);
        assertEquals("socket.path \"" + path + "\": the directory " + socketDirectory.resolve("missing")
                + " does not exist; create it first", assertThrows(ValidationException.class,
                        () -> check.updateConfiguration("gpio.virtio", "gpio.virtio.1", properties)).getMessage());
    }

    @Test
    void otherFactoriesAreNotChecked() throws Exception {
        check.updateConfiguration("gpio.sim", "gpio.sim.1", new Hashtable<>());
    }

    @Test
    void aComposedChipNamingAnOffsetItsRegisteredControllerLacksIsRefused() throws Exception {
        DeviceConfigurationCheck withControllers = new DeviceConfigurationCheck(null,
                List.of(new TestController("board", "b0", "b1", "b2", "b3")));
        Hashtable<String, Object> properties = valid();
        properties.remove("line.names");
        properties.put("lines", "sim0:0-9, board:1-4");
        assertEquals("lines: board:4 does not exist: controller board has 4 lines, offsets 0 to 3",
                assertThrows(ValidationException.class,
                        () -> withControllers.updateConfiguration("gpio.virtio", "gpio.virtio.1", properties))
                        .getMessage());
        properties.put("lines", "sim0:0-9, board:1-3");
        withControllers.updateConfiguration("gpio.virtio", "gpio.virtio.1", properties); // sim0 is not there: fine
        properties.put("lines", "sim0:1, board:1, sim0:1");
        assertEquals("lines: sim0:1 is listed twice (guest line 0 already is that line)",
                assertThrows(ValidationException.class,
                        () -> withControllers.updateConfiguration("gpio.virtio", "gpio.virtio.1", properties))
                        .getMessage());
    }
}
