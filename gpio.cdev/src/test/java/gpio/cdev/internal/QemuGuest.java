// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test guest of {@code gpio.itest/guest}: builds it (instant when cached)
 * and boots it under QEMU (TCG) with the host's / shared read-only over 9p, so a
 * script can run the host's own JVM in the guest. Fails, never skips, when a
 * tool is missing; failure messages carry the console output.
 */
final class QemuGuest {

    static final String EXIT_MARKER = "VGPIO-GUEST-EXIT=";
    private static final String QEMU = "qemu-system-x86_64";

    private final Path kernel;
    private final Path initramfs;

    private QemuGuest(Path kernel, Path initramfs) {
        this.kernel = kernel;
        this.initramfs = initramfs;
    }

    /**
     * Builds the guest, or takes it from the cache.
     *
     * @param guestDirectory {@code gpio.itest/guest}
     * @param workDirectory where to keep logs
     * @return the guest
     * @throws AssertionError naming what is missing when it cannot be built
     */
    static QemuGuest build(Path guestDirectory, Path workDirectory) throws IOException, InterruptedException {
        Path script = guestDirectory.resolve("build-guest.sh");
        if (!Files.isExecutable(script)) {
            throw new AssertionError("the guest build script " + script + " is missing (set -Dvgpio.guest.dir)");
        }
        Files.createDirectories(workDirectory);
        Path log = workDirectory.resolve("build-guest.log");
        Process build = new ProcessBuilder(script.toString()).redirectErrorStream(false)
                .redirectError(log.toFile()).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = build.waitFor();
        if (exit != 0) {
            throw new AssertionError("building the test guest failed (exit " + exit + "):\n" + Files.readString(log));
        }
        Path kernel = null;
        Path initramfs = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("VGPIO_KERNEL=")) {
                kernel = Path.of(line.substring("VGPIO_KERNEL=".length()));
            } else if (line.startsWith("VGPIO_INITRAMFS=")) {
                initramfs = Path.of(line.substring("VGPIO_INITRAMFS=".length()));
            }
        }
        if (kernel == null || initramfs == null) {
            throw new AssertionError("build-guest.sh printed no kernel and initramfs: " + output);
        }
        return new QemuGuest(kernel, initramfs);
    }

    /**
     * Boots the guest, runs a script that the guest sees under /host, and
     * returns the console output once the guest powered off.
     *
     * @param script the script, a path on the host
     * @param console where to write the console output
     * @param timeout how long the whole boot and run may take
     * @return the console output
     * @throws AssertionError with the console output when QEMU is missing, the
     *         guest does not finish in time or does not reach the end of the script
     */
    String run(Path script, Path console, Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(QEMU, "-M", "q35,accel=tcg", "-m", "1024", "-smp", "1",
                "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-virtfs", "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
                "-kernel", kernel.toString(), "-initrd", initramfs.toString(),
                "-append", "console=ttyS0 quiet panic=-1 no_timer_check vgpio_script=/host" + script.toAbsolutePath()));
        Process qemu;
        try {
            qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(console.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new AssertionError(QEMU + " cannot be started (install the Debian package qemu-system-x86, see "
                    + "gpio.itest/guest/apt-packages.txt): " + e.getMessage(), e);
        }
        qemu.getOutputStream().close();
        boolean finished = qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            qemu.destroyForcibly().waitFor();
        }
        String output = Files.readString(console, StandardCharsets.UTF_8);
        if (!finished) {
            throw new AssertionError("the guest did not power off within " + timeout + "; console:\n" + output);
        }
        if (!output.contains(EXIT_MARKER)) {
            throw new AssertionError("the guest did not finish its script (QEMU exit " + qemu.exitValue()
                    + "); console:\n" + output);
        }
        return output;
    }
}
