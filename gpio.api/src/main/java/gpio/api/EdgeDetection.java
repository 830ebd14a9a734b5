// SPDX-License-Identifier: Apache-2.0
package gpio.api;

/** Which edges a watch reports ({@code GPIO_V2_LINE_FLAG_EDGE_*}). */
public enum EdgeDetection {
    /** Rising edges only. */
    RISING,
    /** Falling edges only. */
    FALLING,
    /** Both rising and falling edges. */
    BOTH;

    /**
     * Whether this detection reports the given edge.
     *
     * @param edge an edge
     * @return {@code true} when an edge of that kind is reported
     */
    public boolean reports(Edge edge) {
        return this == BOTH || (edge == Edge.RISING ? this == RISING : this == FALLING);
    }
}
