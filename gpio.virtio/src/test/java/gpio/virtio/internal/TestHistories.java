// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

/**
 * Line histories as a device would have written them, for the tests of the
 * operator surfaces in other packages (the writers are private to this one).
 */
public final class TestHistories {

    private TestHistories() {
    }

    /**
     * A guest output that drove these levels, one after the other.
     *
     * @param line the guest line
     * @param offset the controller offset
     * @param levels the levels driven
     * @return the history, the guest still driving the line
     */
    public static LineHistory driven(int line, int offset, boolean... levels) {
        LineHistory history = new LineHistory(line, offset, 64);
        history.direction(VirtioGpio.DIRECTION_OUT);
        for (boolean level : levels) {
            history.seen(level);
        }
        return history;
    }

    /**
     * A guest input watched for edges: each edge is reported, and every
     * rising one delivered to the guest as an interrupt.
     *
     * @param line the guest line
     * @param offset the controller offset
     * @param edges the levels after each edge
     * @return the history
     */
    public static LineHistory interrupting(int line, int offset, boolean... edges) {
        LineHistory history = new LineHistory(line, offset, 64);
        history.direction(VirtioGpio.DIRECTION_IN);
        for (boolean rising : edges) {
            history.edge(rising);
            if (rising) {
                history.interrupt();
            }
        }
        return history;
    }
}
