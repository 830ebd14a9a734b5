// SPDX-License-Identifier: Apache-2.0
package gpio.form.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;


/** {@link Refusals} that note each report as text, such as {@code refused pid0 (none running): message}. */
public final class RecordingRefusals implements Refusals {

    public final List<String> reports = new CopyOnWriteArrayList<>();

    @Override
    public void refused(Map<String, ?> component, String message, boolean previousRunning) {
        reports.add("refused " + component.get("service.pid") + (previousRunning ? " (previous running): "
                : " (none running): ") + message);
    }

    @Override
    public void accepted(Map<String, ?> component) {
        reports.add("accepted " + component.get("service.pid"));
    }

    @Override
    public void stopped(Map<String, ?> component) {
        reports.add("stopped " + component.get("service.pid"));
    }
}
