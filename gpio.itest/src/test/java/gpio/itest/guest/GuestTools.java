// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a real guest needs on the host: the guest kernel and initramfs (built by
 * {@code gpio.itest/guest/build-guest.sh}) and the two QEMUs. Each script runs
 * once per test JVM; the scripts cache their results outside the checkout, so
 * only the first run on a machine builds (the kernel takes about 20 minutes on
 * 2 cores). A missing tool fails the test with the script's message: nothing is
 * skipped.
 */
final class GuestTools {

    /** Long enough for a first kernel build on 2 shared cores, or for waiting on one running elsewhere. */
    private static final long SCRIPT_DEADLINE_MINUTES = 60;

    private static Map<String, String> guest;
    private static Map<String, String> qemu10;

    private GuestTools() {
    }

    static synchronized Path kernel() {
        return Path.of(guest().get("VGPIO_KERNEL"));
    }

    static synchronized Path initramfs() {
        return Path.of(guest().get("VGPIO_INITRAMFS"));
    }

    /** The command that starts QEMU 10.0 from Debian 12's backports, unpacked privately. */
    static synchronized List<String> qemu10() {
        if (qemu10 == null) {
            qemu10 = runScript("fetch-qemu10.sh", "VGPIO_QEMU10", "VGPIO_QEMU10_FIRMWARE");
        }
        return List.of(qemu10.get("VGPIO_QEMU10"), "-L", qemu10.get("VGPIO_QEMU10_FIRMWARE"));
    }

    private static Map<String, String> guest() {
        if (guest == null) {
            guest = runScript("build-guest.sh", "VGPIO_KERNEL", "VGPIO_INITRAMFS");
        }
        return guest;
    }

    /**
     * Runs a script of {@code gpio.itest/guest} and reads its {@code KEY=value}
     * lines, failing with everything it printed when it fails or lacks a key.
     */
    private static Map<String, String> runScript(String name, String... keys) {
        String dir = System.getProperty("guest.dir");
        if (dir == null) {
            throw new IllegalStateException("system property guest.dir is not set: run the tests with mvn verify");
        }
        Path script = Path.of(dir, name);
        try {
            Path log = Files.createTempFile("vgpio-" + name, ".log");
            try {
                Process process = new ProcessBuilder("bash", script.toString())
                        .redirectError(log.toFile()).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(SCRIPT_DEADLINE_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(script + " did not finish within " + SCRIPT_DEADLINE_MINUTES
                            + " minutes:\n" + Files.readString(log));
                }
                Map<String, String> values = new HashMap<>();
                for (String line : out.split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        values.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
                for (String key : keys) {
                    if (process.exitValue() != 0 || !values.containsKey(key)) {
                        throw new AssertionError(script + " failed (exit " + process.exitValue() + ", no " + key
                                + "); it printed:\n" + out + Files.readString(log));
                    }
                }
                return values;
            } finally {
                Files.delete(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + script, e);
        }
    }
}
