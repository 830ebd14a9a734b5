// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import gpio.itest.GatewayProcess;

/**
 * The simulator's HTTP JSON API on a running gateway, as a test bench uses it:
 * drive inputs, read lines, read the recording.
 */
final class SimulatorApi {

    static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 20;

    /** One line as {@code GET /gpio/api/controllers/{label}/lines/{offset}} shows it. */
    record Line(boolean used, String direction, int value, String json) {

        /** Whether something (the guest, through the device) drives it as an output at {@code level}. */
        boolean drivenAt(int level) {
            return used && direction.equals("output") && value == level;
        }
    }

    private final GatewayProcess gateway;

    SimulatorApi(GatewayProcess gateway) {
        this.gateway = gateway;
    }

    /** Drives the external level of a simulated line, as a button or sensor would. */
    void setInput(String label, int offset, int level) throws IOException, InterruptedException {
        HttpResponse<String> response = gateway.put("/gpio/api/sim/" + label + "/lines/" + offset + "/input",
                Integer.toString(level));
        if (response.statusCode() != 200) {
            throw new AssertionError("PUT input " + level + " on " + label + " line " + offset + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    /**
     * Waits until a controller is served, such as a simulator just created in the
     * web console (its component starts after the form is saved).
     *
     * @throws AssertionError when it is not there before the deadline
     */
    void awaitController(String label) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        HttpResponse<String> response;
        while ((response = gateway.get("/gpio/api/controllers/" + label)).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no controller " + label + " within " + DEADLINE.toSeconds() + " s: HTTP "
                        + response.statusCode() + " " + response.body());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The line now. */
    Line line(String label, int offset) throws IOException, InterruptedException {
        HttpResponse<String> response = gateway.get("/gpio/api/controllers/" + label + "/lines/" + offset);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + label + " line " + offset + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
        String json = response.body();
        return new Line(Boolean.parseBoolean(field(json, "used")), field(json, "direction").replace("\"", ""),
                Integer.parseInt(field(json, "value")), json);
    }

    /**
     * Polls a line until {@code condition} holds.
     *
     * @return the line
     * @throws AssertionError naming {@code what} and showing the line when the deadline passes
     */
    Line awaitLine(String label, int offset, Predicate<Line> condition, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Line line = line(label, offset);
            if (condition.test(line)) {
                return line;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(label + " line " + offset + " is not " + what + " within "
                        + DEADLINE.toSeconds() + " s; it is " + line.json());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * The levels the simulator recorded for one line, from its VCD trace: the
     * start level, then each change.
     *
     * @return the levels, 0 or 1, in order
     */
    List<Integer> recordedLevels(String label, int offset) throws IOException, InterruptedException {
        HttpResponse<String> response = gateway.get("/gpio/api/sim/" + label + "/trace.vcd");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET trace.vcd of " + label + ": HTTP " + response.statusCode());
        }
        String vcd = response.body();
        Matcher var = Pattern.compile("\\$var wire 1 (\\S+) line" + offset + "(_\\S*)? \\$end").matcher(vcd);
        if (!var.find()) {
            throw new AssertionError("no variable for line " + offset + " in the trace of " + label + ":\n" + vcd);
        }
        String id = Pattern.quote(var.group(1));
        int definitionsEnd = vcd.indexOf("$enddefinitions");
        Matcher change = Pattern.compile("(?m)^([01])" + id + "$").matcher(vcd).region(definitionsEnd, vcd.length());
        List<Integer> levels = new ArrayList<>();
        while (change.find()) {
            levels.add(change.group(1).charAt(0) - '0');
        }
        return levels;
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}]*)").matcher(json);
        if (!matcher.find()) {
            throw new AssertionError("no \"" + name + "\" in " + json);
        }
        return matcher.group(1);
    }
}
