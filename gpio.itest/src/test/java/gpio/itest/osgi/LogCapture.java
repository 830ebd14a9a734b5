// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import gpio.itest.Await;

/**
 * The log lines the gateway's bundles write through {@code System.Logger}
 * (java.util.logging underneath, one per JVM), as an operator reads them:
 * formatted, with their level. Attached to the root logger while open.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private static final Formatter FORMATTER = new SimpleFormatter();

    private final Logger root = Logger.getLogger("");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + FORMATTER.formatMessage(record));
    }

    /**
     * Waits for a line containing {@code fragment}.
     *
     * @return the line
     */
    String await(String fragment) throws InterruptedException {
        try {
            Await.condition(() -> lines.stream().anyMatch(line -> line.contains(fragment)),
                    "a log line containing '" + fragment + "'");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the lines logged: " + lines, e);
        }
        return lines.stream().filter(line -> line.contains(fragment)).findFirst().orElseThrow();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
