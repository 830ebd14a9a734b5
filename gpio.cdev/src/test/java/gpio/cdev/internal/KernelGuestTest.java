// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs {@link GpioSimScenarios} against a real kernel: boots the test guest
 * under QEMU, runs this module's test classes on the host's JVM inside it (9p
 * share of /, chroot), and reports each scenario as a test here. Fails, with
 * the guest's console output, when the guest cannot be built or booted.
 */
class KernelGuestTest {

    private static final Duration GUEST_TIMEOUT = Duration.ofMinutes(5);

    @TestFactory
    Stream<DynamicTest> cdevBackendOnGpioSimChipsInAGuest() throws Exception {
        Path work = Path.of("target", "guest").toAbsolutePath();
        QemuGuest guest = QemuGuest.build(Path.of(System.getProperty("vgpio.guest.dir", "../gpio.itest/guest")), work);
        Path script = work.resolve("run-scenarios.sh");
        Files.writeString(script, "#!/bin/sh\n# Written by KernelGuestTest; runs in the test guest.\n"
                + "exec chroot /host " + Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m -XX:-UsePerfData -Djava.io.tmpdir=/dev/shm -Djna.tmpdir=/dev/shm"
                + " -cp " + testClassPath() + " " + GuestMain.class.getName() + "\n");
        long start = System.nanoTime();
        String console = guest.run(script, work.resolve("console.log"), GUEST_TIMEOUT);
        System.out.printf("guest run took %.1f s; console in %s%n", (System.nanoTime() - start) / 1e9,
                work.resolve("console.log"));
        if (!console.contains(GuestMain.DONE)) {
            fail("the scenarios did not run to the end in the guest; console:\n" + console);
        }
        Map<String, String> results = new HashMap<>();
        for (String line : console.split("\r?\n")) {
            if (line.startsWith(GuestMain.RESULT)) {
                String[] parts = line.substring(GuestMain.RESULT.length()).split("[ :]", 3);
                results.put(parts[1], line.substring(GuestMain.RESULT.length()));
            }
        }
        return scenarios().stream().map(name -> dynamicTest(name, () -> {
            String result = results.get(name);
            if (result == null) {
                fail("scenario " + name + " did not run in the guest; console:\n" + console);
            } else if (!result.startsWith("PASSED")) {
                fail("in the guest: " + result + "\nconsole:\n" + console);
            }
        }));
    }

    private static List<String> scenarios() {
        return Arrays.stream(GpioSimScenarios.class.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Test.class)).map(Method::getName).sorted().toList();
    }

    // Surefire hides the real class path behind a manifest-only jar; it names it in this property.
    private static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(path.split(File.pathSeparator)).map(entry -> Path.of(entry).toAbsolutePath().toString())
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
    }
}
