// SPDX-License-Identifier: Apache-2.0
package gpio.api;

/** The direction of a line ({@code GPIO_V2_LINE_FLAG_INPUT} / {@code _OUTPUT}). */
public enum Direction {
    /** The line reads a level driven from outside. */
    INPUT,
    /** The line drives a level. */
    OUTPUT
}
