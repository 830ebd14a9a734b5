// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import static gpio.virtio.internal.VirtioGpio.DIRECTION_IN;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_NONE;
import static gpio.virtio.internal.VirtioGpio.DIRECTION_OUT;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_BOTH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_FALLING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_EDGE_RISING;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_HIGH;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_LEVEL_LOW;
import static gpio.virtio.internal.VirtioGpio.IRQ_TYPE_NONE;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;

import gpio.vhostuser.RingPosition;

/**
 * What a guest had set on its lines when its connection ended, and where its
 * requestq ring was, so that the device can set the lines up again when the same
 * guest comes back.
 *
 * <p>How "the same guest" is recognised: QEMU 7.2.1 and later, whose chardev
 * has {@code reconnect} set, connects again to a backend that went away (the
 * gateway restarted, or dropped the connection) and starts the guest's rings
 * where they are: same size and addresses, with SET_VRING_BASE set to the used
 * index it reads in guest memory, so every request not yet answered is offered
 * again. A guest that rebooted meanwhile has new rings whose used index starts
 * at 0 again. So the state is taken up only when the requestq starts on the same
 * ring, with the used index in guest memory and the base both equal to the used
 * index the device published last, and that index is not 0 (every driver's probe
 * completes at least one request, so a used index of 0 is a fresh driver, or one
 * whose index wrapped exactly: not taken up, the safe side). The number of lines
 * must match too.
 *
 * <p>What is not carried over: an edge latched while the guest held no eventq
 * buffer, and edges that happen while no connection exists (the gateway is
 * down). Held eventq buffers need nothing: QEMU offers them again.
 *
 * @param requestRing where the requestq was left
 * @param lineCount the number of lines the guest saw
 * @param lines the lines in use, in guest order
 */
record GuestState(RingPosition requestRing, int lineCount, List<LineSetting> lines) {

    /**
     * What the guest set on one line.
     *
     * @param line the guest line
     * @param direction {@code VIRTIO_GPIO_DIRECTION_OUT}, {@code _IN} or, for a
     *        line only watched for interrupts, {@code _NONE}
     * @param value the output value the guest set last
     * @param irqType the interrupt type, a {@code VIRTIO_GPIO_IRQ_TYPE_*} value
     */
    record LineSetting(int line, int direction, boolean value, int irqType) {

        /** For logs: {@code "line 3 output high"}, {@code "line 1 input, interrupt edge-both"}. */
        String describe() {
            String what = direction == DIRECTION_OUT ? "output " + (value ? "high" : "low")
                    : direction == DIRECTION_IN ? "input" : "not configured";
            return "line " + line + " " + what + (irqType == IRQ_TYPE_NONE ? ""
                    : ", interrupt " + DeviceStatus.GuestLine.interruptName(irqType));
        }
    }

    GuestState {
        lines = List.copyOf(lines);
    }

    /**
     * Whether a requestq starting at {@code start} is this guest's ring, carried on
     * (see the class comment).
     *
     * @param start where the requestq starts
     * @param currentLineCount the number of lines the device has now
     * @return {@code true} when the guest comes back without having started over
     */
    boolean continuedBy(RingPosition start, int currentLineCount) {
        RingPosition left = requestRing;
        return currentLineCount == lineCount && left.used() != 0 && start.size() == left.size()
                && start.descriptorTable() == left.descriptorTable() && start.availableRing() == left.availableRing()
                && start.usedRing() == left.usedRing() && start.used() == left.used()
                && start.nextAvailable() == left.used();
    }

    /** For logs: what the guest had set, line by line. */
    String describe() {
        StringJoiner joined = new StringJoiner("; ");
        lines.forEach(setting -> joined.add(setting.describe()));
        return joined.toString();
    }

    /**
     * Writes the state to {@code file}, replacing it as a whole (a crash leaves the
     * old file or the new one, never half of one).
     *
     * @param file where to write
     * @throws IOException when it cannot be written
     */
    void store(Path file) throws IOException {
        Properties properties = new Properties();
        RingPosition ring = requestRing;
        properties.setProperty("requestq", ring.size() + " " + ring.descriptorTable() + " " + ring.availableRing()
                + " " + ring.usedRing() + " " + ring.nextAvailable() + " " + ring.used());
        properties.setProperty("lines", Integer.toString(lineCount));
        for (LineSetting setting : lines) {
            properties.setProperty("line." + setting.line(),
                    setting.direction() + " " + (setting.value() ? 1 : 0) + " " + setting.irqType());
        }
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(out, "what the guest of a virtio-gpio device had set when its connection ended");
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a state written by {@link #store}.
     *
     * @param file where to read
     * @return the state, {@code null} when there is no file
     * @throws IOException when it cannot be read or is not a state this class wrote
     */
    static GuestState load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            long[] ring = numbers(properties.getProperty("requestq"), 6);
            RingPosition requestRing = new RingPosition((int) ring[0], ring[1], ring[2], ring[3], (int) ring[4],
                    (int) ring[5]);
            int lineCount = Integer.parseInt(properties.getProperty("lines", "-1"));
            List<LineSetting> lines = new ArrayList<>();
            for (int line = 0; line < lineCount; line++) {
                String value = properties.getProperty("line." + line);
                if (value != null) {
                    long[] setting = numbers(value, 3);
                    lines.add(checked(new LineSetting(line, (int) setting[0], setting[1] == 1, (int) setting[2])));
                }
            }
            if (lineCount < 0 || properties.size() != 2 + lines.size()) {
                throw new IllegalArgumentException("entries missing or beyond the " + lineCount + " lines");
            }
            return new GuestState(requestRing, lineCount, lines);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException(file + " is not a saved guest state: " + e.getMessage(), e);
        }
    }

    private static long[] numbers(String text, int count) {
        String[] parts = text.trim().split(" ");
        if (parts.length != count) {
            throw new IllegalArgumentException("'" + text + "' does not have " + count + " numbers");
        }
        long[] numbers = new long[count];
        for (int i = 0; i < count; i++) {
            numbers[i] = Long.parseLong(parts[i]);
        }
        return numbers;
    }

    private static LineSetting checked(LineSetting setting) {
        int direction = setting.direction();
        int irqType = setting.irqType();
        boolean knownDirection = direction == DIRECTION_NONE || direction == DIRECTION_IN || direction == DIRECTION_OUT;
        boolean knownIrqType = irqType == IRQ_TYPE_NONE || irqType == IRQ_TYPE_EDGE_RISING
                || irqType == IRQ_TYPE_EDGE_FALLING || irqType == IRQ_TYPE_EDGE_BOTH || irqType == IRQ_TYPE_LEVEL_HIGH
                || irqType == IRQ_TYPE_LEVEL_LOW;
        if (!knownDirection || !knownIrqType || (direction == DIRECTION_NONE && irqType == IRQ_TYPE_NONE)) {
            throw new IllegalArgumentException("line " + setting.line() + " has a setting no guest can make: "
                    + setting);
        }
        return setting;
    }
}
