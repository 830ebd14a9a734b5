// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one class logs through {@code System.Logger} (java.util.logging
 * underneath), collected while open.
 */
final class LogRecords extends Handler implements AutoCloseable {

    /** Held strongly: java.util.logging keeps loggers only weakly, and a new one would lack the handler. */
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogRecords(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(this);
    }

    /** What has been logged so far, oldest first. */
    List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
