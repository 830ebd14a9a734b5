// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the output of the processes a test ran (guest consoles, gateway logs)
 * when the test failed, so a reader sees why. Register with
 * {@code @RegisterExtension}; a test names each process with {@link #show}.
 */
final class Transcript implements AfterTestExecutionCallback {

    private final Map<String, Supplier<String>> outputs = new LinkedHashMap<>();

    /**
     * Shows {@code output} under {@code title} if the test fails.
     *
     * @param title what printed it
     * @param output the text, read only on failure
     */
    synchronized void show(String title, Supplier<String> output) {
        outputs.put(title, output);
    }

    @Override
    public synchronized void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            StringBuilder text = new StringBuilder();
            outputs.forEach((title, output) -> text.append("\n===== ").append(title).append(" =====\n")
                    .append(output.get()).append('\n'));
            System.err.println("Test " + context.getDisplayName() + " failed; what its processes printed:" + text);
        }
        outputs.clear();
    }
}
