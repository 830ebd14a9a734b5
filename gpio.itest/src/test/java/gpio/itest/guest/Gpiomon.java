// SPDX-License-Identifier: Apache-2.0
package gpio.itest.guest;

/** Running libgpiod v1's gpiomon in the guest and reading what it prints. */
final class Gpiomon {

    /** Printed once gpiomon's interrupt is requested: from then on no edge is lost. */
    static final String WATCHING = "VGPIO-WATCHING";

    private Gpiomon() {
    }

    /**
     * A guest command that starts gpiomon for {@code events} edges on one line
     * of gpiochip0 in the background, says {@link #WATCHING} once the kernel
     * lists its interrupt (under the consumer name gpiomon) in
     * /proc/interrupts, and ends with gpiomon's exit status.
     *
     * @param events how many events gpiomon waits for before it exits
     * @param offset the line
     * @return the command
     */
    static String command(int events, int offset) {
        return "gpiomon -n " + events + " gpiochip0 " + offset + " & i=0;"
                + " while ! grep -q gpiomon /proc/interrupts && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done;"
                + " echo " + WATCHING + "; wait $!";
    }

    /**
     * Whether gpiomon printed this line for an event.
     *
     * @param line a console line
     * @return {@code true} for an event line
     */
    static boolean isEvent(String line) {
        return line.startsWith("event:");
    }

    /**
     * The edge of an event line.
     *
     * @param event an event line
     * @return RISING or FALLING, or the line itself when it is neither
     */
    static String edge(String event) {
        return event.contains("RISING EDGE") ? "RISING" : event.contains("FALLING EDGE") ? "FALLING" : event;
    }
}
