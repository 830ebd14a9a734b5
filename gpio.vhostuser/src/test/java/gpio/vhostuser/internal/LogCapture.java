// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.text.MessageFormat;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What the transport logs (INFO and up, formatted), collected for a test to look
 * for, from construction until {@link #close}.
 */
final class LogCapture extends Handler implements AutoCloseable {

    /** Held so that the logger, and the handler on it, outlive a garbage collection. */
    private final Logger transportLog = Logger.getLogger("gpio.vhostuser.internal");
    private final StringBuilder text = new StringBuilder();

    LogCapture() {
        transportLog.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.INFO.intValue()) {
            String line = MessageFormat.format(record.getMessage(),
                    record.getParameters() == null ? new Object[0] : record.getParameters());
            synchronized (text) {
                text.append(line).append('\n');
            }
        }
    }

    /** How many times {@code fragment} was logged so far. */
    int count(String fragment) {
        synchronized (text) {
            return text.toString().split(Pattern.quote(fragment), -1).length - 1;
        }
    }

    /** Waits (with a deadline) until a line containing {@code fragment} is logged. */
    void awaitLogged(String fragment) {
        Await.until("a log line containing '" + fragment + "'", () -> count(fragment) > 0);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        transportLog.removeHandler(this);
    }
}
