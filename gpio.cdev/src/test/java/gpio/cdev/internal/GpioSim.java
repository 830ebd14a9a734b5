// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One simulated GPIO chip of the kernel's gpio-sim driver, created and removed
 * through configfs; its lines' levels are set through the {@code pull} and read
 * through the {@code value} sysfs attributes. Needs a kernel with GPIO_SIM and
 * root (it runs in the test guest).
 */
final class GpioSim implements AutoCloseable {

    private static final Path CONFIGFS = Path.of("/sys/kernel/config/gpio-sim");

    private final Path device;
    private final Path bank;
    private final List<Path> made = new ArrayList<>();
    private final String chipName;
    private final Path sysfs;
    private boolean live;

    /**
     * Creates a live chip.
     *
     * @param name the configfs directory name, unique among live sims
     * @param label the chip's label
     * @param lines the number of lines
     * @param lineNames names of some lines, by offset
     * @param hogs lines the kernel itself holds, by offset: the hog's consumer name
     */
    GpioSim(String name, String label, int lines, Map<Integer, String> lineNames, Map<Integer, String> hogs) {
        device = CONFIGFS.resolve(name);
        bank = device.resolve("bank0");
        mkdir(device);
        mkdir(bank);
        write(bank.resolve("label"), label);
        write(bank.resolve("num_lines"), Integer.toString(lines));
        for (int offset = 0; offset < lines; offset++) {
            String lineName = lineNames.get(offset);
            String hog = hogs.get(offset);
            if (lineName == null && hog == null) {
                continue;
            }
            Path line = bank.resolve("line" + offset);
            mkdir(line);
            if (lineName != null) {
                write(line.resolve("name"), lineName);
            }
            if (hog != null) {
                Path hogDir = line.resolve("hog");
                mkdir(hogDir);
                write(hogDir.resolve("name"), hog);
                write(hogDir.resolve("direction"), "output-low");
            }
        }
        write(device.resolve("live"), "1");
        live = true;
        chipName = read(bank.resolve("chip_name"));
        sysfs = Path.of("/sys/devices/platform", read(device.resolve("dev_name")), chipName);
    }

    /** @return the kernel name, such as {@code gpiochip1} */
    String chipName() {
        return chipName;
    }

    /**
     * Sets the level an input sees, as if pulled from outside.
     *
     * @param offset the line
     * @param high high or low
     */
    void pull(int offset, boolean high) {
        write(sysfs.resolve("sim_gpio" + offset).resolve("pull"), high ? "pull-up" : "pull-down");
    }

    /**
     * The level of a line: what an output drives, or what an input sees.
     *
     * @param offset the line
     * @return high or low
     */
    boolean value(int offset) {
        return read(sysfs.resolve("sim_gpio" + offset).resolve("value")).equals("1");
    }

    /** Takes the chip away, as a hot-unplug would; idempotent. */
    void unplug() {
        if (live) {
            write(device.resolve("live"), "0");
            live = false;
        }
    }

    @Override
    public void close() {
        unplug();
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                Files.delete(made.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        made.clear();
    }

    private void mkdir(Path directory) {
        try {
            Files.createDirectory(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        made.add(directory);
    }

    // configfs and sysfs attributes exist already and cannot be truncated: plain write.
    private static void write(Path attribute, String value) {
        try {
            Files.write(attribute, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing '" + value + "' to " + attribute, e);
        }
    }

    private static String read(Path attribute) {
        try {
            return Files.readString(attribute, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
