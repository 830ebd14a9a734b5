// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Linux guest under QEMU (TCG) with a {@code vhost-user-gpio-pci} device
 * on a gateway's socket, driven through its serial console.
 *
 * <p>The guest's {@code /init} runs a small shell loop (see {@link #SHELL}) that
 * reads one command per console line, so a test types commands one after the
 * other into one boot, and the command's output is what the console shows
 * between the loop's {@code VGPIO-BEGIN} and {@code VGPIO-END <status>} lines.
 * A command may itself read the console (gpioset --mode=wait waits for a new
 * line): {@link #type} feeds it. Every line the console printed is kept, for
 * failure messages.
 */
final class Guest implements AutoCloseable {

    /** Booting the kernel under TCG takes about 3 s alone; on 2 busy cores much longer. */
    static final Duration BOOT_DEADLINE = Duration.ofSeconds(120);
    /** Any one command; the driver waits for ever on a lost answer, so this is what catches that. */
    static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);

    /**
     * The guest side of the console protocol, run by {@code /init} (no double
     * quotes: it travels on the kernel command line). Echo off, so typed
     * commands do not appear in the output; no globbing of the unquoted
     * {@code $c}, whose words {@code eval} joins and parses again.
     */
    private static final String SHELL = "stty -echo; set -f; echo VGPIO-SHELL;"
            + " while read -r c; do echo VGPIO-BEGIN; eval $c; echo VGPIO-END $?; done";
    private static final Pattern END = Pattern.compile("VGPIO-END (\\d+)");
    private static final String MEMORY = "256M";
    /**
     * The kernel command line. no_timer_check: under TCG on a busy host the
     * kernel's IO-APIC timer check can fail and panic the boot ("IO-APIC +
     * timer doesn't work!"); panic=-1 makes a panic end QEMU (-no-reboot) at once.
     */
    private static final String KERNEL_ARGUMENTS = "console=ttyS0 quiet no_timer_check panic=-1";
    private static final long POLL_MILLIS = 100;
    private static final String HOTPLUG_PORT = "hotplug0";
    /** Numbers the QMP sockets of the guests of one test JVM. */
    private static final AtomicInteger QMP_SOCKETS = new AtomicInteger();

    /** What one command printed and its exit status. */
    record Result(int status, List<String> output) {
    }

    private final String name;
    private final Process process;
    /** QEMU's QMP monitor, through which a test acts as the VM's host (pause, reset, hotplug). */
    private final Path qmpSocket;
    private final OutputStream console;
    private final List<String> lines = new ArrayList<>();
    /** QEMU's own messages (its stderr), kept apart from the guest's console. */
    private final List<String> qemuMessages = new ArrayList<>();
    /** Guarded by {@link #lines}: how many of the two output readers have not reached end of file. */
    private int readersRunning = 2;
    /** Index of the first console line not yet consumed by a finished command. */
    private int cursor;

    private Guest(String name, Process process, Path qmpSocket) {
        this.name = name;
        this.process = process;
        this.qmpSocket = qmpSocket;
        this.console = process.getOutputStream();
        startReader(process.getInputStream(), lines, "guest-console");
        startReader(process.getErrorStream(), qemuMessages, "qemu-stderr");
    }

    /**
     * Boots a guest with the device on {@code socket} and waits for its shell.
     *
     * @param qemu which QEMU
     * @param socket the gateway's vhost-user socket; it must be listening
     * @param reconnect whether QEMU reconnects (every second) when the gateway goes away
     * @return the running guest
     */
    static Guest boot(Qemu qemu, Path socket, boolean reconnect) throws IOException, InterruptedException {
        return launch(qemu, socket, reconnect, false, false).awaitShell();
    }

    /**
     * Boots like {@link #boot} (no reconnect), but a reboot restarts the guest
     * instead of ending QEMU, for tests of {@link #systemReset}.
     *
     * @return the running guest
     */
    static Guest bootRebootable(Qemu qemu, Path socket) throws IOException, InterruptedException {
        return bootRebootable(qemu, socket, false);
    }

    /**
     * {@link #bootRebootable(Qemu, Path)}, with QEMU reconnecting (every second)
     * when the gateway goes away.
     *
     * @return the running guest
     */
    static Guest bootRebootable(Qemu qemu, Path socket, boolean reconnect) throws IOException, InterruptedException {
        return launch(qemu, socket, reconnect, false, true).awaitShell();
    }

    /**
     * Boots a guest with a reconnecting chardev on {@code socket} but without
     * the device, which {@link #hotplugDevice} adds later through QEMU's QMP
     * monitor on {@code qmpSocket}, and waits for its shell.
     *
     * @return the running guest
     */
    static Guest bootForHotplug(Qemu qemu, Path socket) throws IOException, InterruptedException {
        return launch(qemu, socket, true, true, false).awaitShell();
    }

    /**
     * Starts QEMU like {@link #boot} without waiting for anything.
     *
     * @return the guest, maybe still booting, maybe already failed
     */
    static Guest launch(Qemu qemu, Path socket, boolean reconnect) throws IOException {
        return launch(qemu, socket, reconnect, false, false);
    }

    private static Guest launch(Qemu qemu, Path socket, boolean reconnect, boolean hotplug, boolean rebootable)
            throws IOException {
        Path qmpSocket = socket.resolveSibling("qmp-" + QMP_SOCKETS.incrementAndGet() + ".sock");
        List<String> command = new ArrayList<>(qemu.command());
        if (!rebootable) {
            command.add("-no-reboot");
        }
        command.addAll(List.of("-M", "q35,accel=tcg", "-m", MEMORY, "-smp", "1", "-nodefaults", "-display", "none",
                "-serial", "stdio", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-object", "memory-backend-memfd,id=mem,size=" + MEMORY + ",share=on", "-numa", "node,memdev=mem",
                "-chardev", "socket,id=vgpio,path=" + socket + (reconnect ? ",reconnect=1" : ""),
                "-kernel", GuestTools.kernel().toString(), "-initrd", GuestTools.initramfs().toString(),
                "-append", KERNEL_ARGUMENTS + " vgpio_cmd=\"" + SHELL + "\""));
        if (hotplug) {
            // q35's root bus takes no hotplugged devices: a PCIe root port does. Its hotplug is
            // ACPI-driven by default since QEMU 6.1; the guest kernel has the native PCIe driver.
            command.addAll(List.of("-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off",
                    "-device", "pcie-root-port,id=" + HOTPLUG_PORT + ",chassis=1"));
        } else {
            command.addAll(List.of("-device", "vhost-user-gpio-pci,chardev=vgpio"));
        }
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command.get(0)
                    + " (Debian package qemu-system-x86 for the stock QEMU): " + e.getMessage(), e);
        }
        return new Guest(qemu + " guest", process, qmpSocket);
    }

    private Guest awaitShell() throws InterruptedException {
        cursor = awaitLine(0, "VGPIO-SHELL"::equals, "the guest's shell", BOOT_DEADLINE) + 1;
        return this;
    }

    /**
     * Adds the device to a guest booted with {@link #bootForHotplug} (its
     * chardev must be connected: QEMU talks to the gateway at once) and waits
     * until the guest has its GPIO chip (found by the PCIe hotplug driver, or by
     * a PCI rescan).
     */
    void hotplugDevice() throws IOException, InterruptedException {
        Qmp.execute(qmpSocket, "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vhost-user-gpio-pci\","
                + "\"chardev\":\"vgpio\",\"bus\":\"" + HOTPLUG_PORT + "\",\"id\":\"gpio0\"}}");
        run("echo 1 > /sys/bus/pci/rescan; i=0; while [ ! -e /dev/gpiochip0 ] && [ $i -lt 600 ]; do sleep 0.1;"
                + " i=$((i+1)); done; [ -e /dev/gpiochip0 ]");
    }

    /**
     * Hot-unplugs the device as libvirt does ({@code virsh detach-device}): QMP
     * {@code device_del}, which the guest's PCIe hotplug driver carries out, then
     * waits until the guest has no GPIO chip left and QEMU has let the device go.
     */
    void unplugDevice() throws IOException, InterruptedException {
        // Refused while the slot still powers up after a device_add ("guest is busy"): asked again.
        Qmp.awaitSuccess(qmpSocket, "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"gpio0\"}}",
                answer -> true, COMMAND_DEADLINE);
        run("i=0; while [ -e /dev/gpiochip0 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done;"
                + " [ ! -e /dev/gpiochip0 ]");
        Qmp.awaitSuccess(qmpSocket, "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/machine/peripheral\"}}",
                answer -> !answer.contains("\"gpio0\""), COMMAND_DEADLINE);
    }

    /**
     * Removes the device's chardev after {@link #unplugDevice}, as libvirt does:
     * QEMU closes the vhost-user connection.
     */
    void removeChardev() throws IOException, InterruptedException {
        Qmp.awaitSuccess(qmpSocket, "{\"execute\":\"chardev-remove\",\"arguments\":{\"id\":\"vgpio\"}}",
                answer -> true, COMMAND_DEADLINE);
    }

    /** Adds the chardev on {@code socket} again after {@link #removeChardev}; QEMU connects at once. */
    void addChardev(Path socket) throws IOException {
        Qmp.execute(qmpSocket, "{\"execute\":\"chardev-add\",\"arguments\":{\"id\":\"vgpio\",\"backend\":"
                + "{\"type\":\"socket\",\"data\":{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\""
                + socket + "\"}},\"server\":false}}}}");
    }

    /** Stops the VM as a host does to pause it ({@code stop}; {@code virsh suspend}). */
    void pause() throws IOException {
        Qmp.execute(qmpSocket, "{\"execute\":\"stop\"}");
    }

    /** Lets the VM run again after {@link #pause} ({@code cont}; {@code virsh resume}). */
    void resume() throws IOException {
        Qmp.execute(qmpSocket, "{\"execute\":\"cont\"}");
    }

    /**
     * Runs a human monitor command, as an operator types it into QEMU's monitor.
     *
     * @return what the monitor printed
     */
    String monitor(String commandLine) throws IOException {
        return Qmp.humanMonitorCommand(qmpSocket, commandLine);
    }

    /**
     * Resets the VM ({@code system_reset}: a reboot from the host; needs
     * {@link #bootRebootable}) and waits for the new boot's shell.
     */
    void reboot() throws IOException, InterruptedException {
        startReboot();
        awaitRebootedShell();
    }

    /** Resets the VM ({@code system_reset}, see {@link #reboot}) without waiting for the new boot. */
    void startReboot() throws IOException {
        Qmp.execute(qmpSocket, "{\"execute\":\"system_reset\"}");
    }

    /** Waits for the shell of the boot {@link #startReboot} began. */
    void awaitRebootedShell() throws InterruptedException {
        cursor = awaitLine(cursor, "VGPIO-SHELL"::equals, "the rebooted guest's shell", BOOT_DEADLINE) + 1;
    }

    /**
     * Runs a command and waits for it to end with status 0.
     *
     * @param command a shell command (one line)
     * @return what it printed, one entry per line
     */
    List<String> run(String command) throws IOException, InterruptedException {
        start(command);
        Result result = awaitEnd();
        if (result.status() != 0) {
            throw new AssertionError("'" + command + "' ended with status " + result.status() + " in the "
                    + name + "; it printed:\n" + String.join("\n", result.output()));
        }
        return result.output();
    }

    /** Starts a command without waiting for it to end; {@link #awaitEnd} collects it. */
    void start(String command) throws IOException, InterruptedException {
        type(command);
        cursor = awaitLine(cursor, "VGPIO-BEGIN"::equals, "the start of '" + command + "'", COMMAND_DEADLINE) + 1;
    }

    /**
     * Waits for the running command to end.
     *
     * @return its status and output
     */
    Result awaitEnd() throws InterruptedException {
        int end = awaitLine(cursor, line -> END.matcher(line).matches(), "the end of the command", COMMAND_DEADLINE);
        synchronized (lines) {
            Matcher matcher = END.matcher(lines.get(end));
            if (!matcher.matches()) {
                throw new IllegalStateException(lines.get(end));
            }
            Result result = new Result(Integer.parseInt(matcher.group(1)), List.copyOf(lines.subList(cursor, end)));
            cursor = end + 1;
            return result;
        }
    }

    /**
     * Waits until the running command has printed {@code count} lines matching {@code condition}.
     *
     * @return those lines, in order
     */
    List<String> awaitOutput(Predicate<String> condition, int count, String what) throws InterruptedException {
        List<String> found = new ArrayList<>();
        int from = cursor;
        while (found.size() < count) {
            int index = awaitLine(from, condition, (found.size() + 1) + " of " + count + " " + what,
                    COMMAND_DEADLINE);
            synchronized (lines) {
                found.add(lines.get(index));
            }
            from = index + 1;
        }
        return found;
    }

    /** Types a line on the guest's console. */
    void type(String line) throws IOException {
        console.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        console.flush();
    }

    /** Leaves the shell: the guest powers off and QEMU must exit with status 0. */
    void powerOff() throws IOException, InterruptedException {
        type("exit 0");
        awaitLine(cursor, "VGPIO-GUEST-EXIT=0"::equals, "that the guest's shell exited", COMMAND_DEADLINE);
        if (!process.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not power off; console:\n" + console());
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("QEMU exited with " + process.exitValue() + "; console:\n" + console());
        }
    }

    /**
     * Waits for QEMU to exit.
     *
     * @return its exit status
     */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(BOOT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not exit within " + BOOT_DEADLINE.toSeconds() + " s; console:\n"
                    + console());
        }
        // The console's last lines may still be on their way.
        long end = System.nanoTime() + COMMAND_DEADLINE.toNanos();
        synchronized (lines) {
            while (readersRunning > 0 && System.nanoTime() < end) {
                lines.wait(100);
            }
        }
        return process.exitValue();
    }

    /**
     * Everything the console (and QEMU on stderr) printed so far.
     *
     * @return the lines, joined
     */
    String console() {
        synchronized (lines) {
            return String.join("\n", lines) + "\n----- QEMU's messages -----\n" + String.join("\n", qemuMessages);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int awaitLine(int from, Predicate<String> condition, String what, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (lines) {
            int next = from;
            while (true) {
                for (; next < lines.size(); next++) {
                    if (condition.test(lines.get(next))) {
                        return next;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0 || !process.isAlive() && readersRunning == 0) {
                    throw new AssertionError(name + ": no " + what + " within " + deadline.toSeconds() + " s"
                            + (process.isAlive() ? "" : " (QEMU exited with " + process.exitValue() + ")")
                            + "; console:\n" + console());
                }
                // Short waits: QEMU's exit is noticed by polling, the readers' end may come first.
                lines.wait(Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
    }

    private void startReader(InputStream in, List<String> into, String threadName) {
        Thread reader = new Thread(() -> collect(in, into), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    /** Reads lines into {@code into}; all under the lock of {@link #lines}, which the waiters use. */
    private void collect(InputStream in, List<String> into) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (in) {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        add(into, line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else if (b != '\r') {
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            add(into, "(reading failed: " + e + ")");
        }
        if (line.size() > 0) {
            add(into, line.toString(StandardCharsets.UTF_8));
        }
        synchronized (lines) {
            readersRunning--;
            lines.notifyAll();
        }
    }

    private void add(List<String> into, String line) {
        synchronized (lines) {
            into.add(line);
            lines.notifyAll();
        }
    }
}
