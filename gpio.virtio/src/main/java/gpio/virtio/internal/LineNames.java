// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import gpio.api.GpioController;
import gpio.api.GpioException;

/**
 * The GET_LINE_NAMES block: one zero-terminated 7-bit ASCII name per guest
 * line, in line order, unique within the device; an unnamed line is a single
 * zero byte. Names configured by the operator win; a controller name that is
 * not 7-bit ASCII or repeats an earlier name is left out (the line is unnamed)
 * and logged.
 */
final class LineNames {

    private final byte[] response;
    private final int blockSize;
    private final List<String> names;

    private LineNames(byte[] response, int blockSize, List<String> names) {
        this.response = response;
        this.blockSize = blockSize;
        this.names = names;
    }

    /**
     * Builds the names of the device's lines on the controllers bound now; a
     * line whose controller is not bound has its configured name or none.
     *
     * @param controllers the controller of each source of the line map, {@code null} where none is bound
     * @param map the line map with its name overrides
     * @param count the number of guest lines
     * @param log where left-out names are reported
     * @return the names
     */
    static LineNames of(GpioController[] controllers, LineMap map, int count, DeviceLog log) {
        Set<String> used = new HashSet<>(map.names().values());
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(VirtioGpio.STATUS_OK);
        List<String> names = new ArrayList<>(count);
        boolean anyName = false;
        for (int line = 0; line < count; line++) {
            String name = map.names().get(line);
            GpioController controller = controllers[map.source(line)];
            if (name == null) {
                name = controller == null ? "" : controllerName(controller, map.offset(line), used, log);
            }
            names.add(name);
            anyName |= !name.isEmpty();
            block.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
            block.write(0);
        }
        if (!anyName) {
            return new LineNames(new byte[] {VirtioGpio.STATUS_OK}, 0, names);
        }
        byte[] response = block.toByteArray();
        return new LineNames(response, response.length - 1, names);
    }

    private static String controllerName(GpioController controller, int offset, Set<String> used, DeviceLog log) {
        if (offset >= controller.lineCount()) {
            log.event(Level.WARNING, "controller " + controller.label() + " has no line " + offset
                    + ": that guest line answers ERR");
            return "";
        }
        String name;
        try {
            name = controller.lineInfo(offset).name();
        } catch (GpioException | RuntimeException e) {
            log.event(Level.WARNING, "cannot read the name of line " + offset + ": " + e.getMessage());
            return "";
        }
        if (name.isEmpty()) {
            return name;
        }
        String problem = problem(name);
        if (problem == null && !used.add(name)) {
            problem = "it repeats the name of another line";
        }
        if (problem != null) {
            log.event(Level.WARNING, "line " + offset + " is shown unnamed: its name \"" + name + "\" is unusable: "
                    + problem);
            return "";
        }
        return name;
    }

    /**
     * Why a name cannot be sent to the guest.
     *
     * @param name a name
     * @return the reason, {@code null} when the name is fine
     */
    static String problem(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0 || c > 0x7F) {
                return "character " + (i + 1) + " is not 7-bit ASCII or is a zero byte";
            }
        }
        return null;
    }

    /**
     * The GET_LINE_NAMES response: status OK followed by the block.
     *
     * @return the bytes, shared: do not change them
     */
    byte[] response() {
        return response;
    }

    /**
     * The name of each guest line, empty for an unnamed one.
     *
     * @return the names in guest line order
     */
    List<String> names() {
        return names;
    }

    /**
     * The block size for {@code gpio_names_size}: 0 when no line has a name.
     *
     * @return the size in bytes
     */
    int blockSize() {
        return blockSize;
    }
}
