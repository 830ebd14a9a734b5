// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects the lines the device logs (logger {@code gpio.virtio}), formatted, until closed. */
final class LogCapture implements AutoCloseable {

    private final Logger logger = Logger.getLogger("gpio.virtio");
    private final List<String> lines = new ArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            String line = record.getLevel() + " " + formatter.formatMessage(record);
            synchronized (lines) {
                lines.add(line);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        logger.addHandler(handler);
    }

    /** The lines logged so far that contain every one of {@code parts}. */
    List<String> containing(String... parts) {
        List<String> found = new ArrayList<>();
        synchronized (lines) {
            for (String line : lines) {
                boolean all = true;
                for (String part : parts) {
                    all &= line.contains(part);
                }
                if (all) {
                    found.add(line);
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
