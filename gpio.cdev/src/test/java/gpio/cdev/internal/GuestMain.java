// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs {@link GpioSimScenarios} inside the test guest and reports each test on
 * the console in lines {@link KernelGuestTest} parses:
 * {@code VGPIO-TEST <PASSED|FAILED|ABORTED> <method>[: <failure>]}, then
 * {@code VGPIO-TESTS-DONE}. Exits 0 when all passed.
 */
public final class GuestMain {

    static final String RESULT = "VGPIO-TEST ";
    static final String DONE = "VGPIO-TESTS-DONE";

    private GuestMain() {
    }

    /**
     * Runs the scenarios.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        int[] failed = {0};
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(GpioSimScenarios.class)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        String name = test.getSource().filter(MethodSource.class::isInstance)
                                .map(source -> ((MethodSource) source).getMethodName()).orElse(null);
                        if (name == null && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                            return;
                        }
                        String line = RESULT + (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? "PASSED"
                                : result.getStatus() == TestExecutionResult.Status.FAILED ? "FAILED" : "ABORTED")
                                + " " + (name == null ? test.getDisplayName() : name);
                        if (result.getThrowable().isPresent()) {
                            failed[0]++;
                            Throwable failure = result.getThrowable().get();
                            StringWriter trace = new StringWriter();
                            failure.printStackTrace(new PrintWriter(trace));
                            line += ": " + failure.toString().replace('\n', ' ') + "\n" + trace;
                        }
                        System.out.println(line);
                        System.out.flush();
                    }
                });
        System.out.println(DONE + " failed=" + failed[0]);
        System.out.flush();
        System.exit(failed[0] == 0 ? 0 : 1);
    }
}
