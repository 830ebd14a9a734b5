// SPDX-License-Identifier: Apache-2.0
package gpio.api;

/** The direction of a detected level change. */
public enum Edge {
    /** Inactive to active ({@code GPIO_V2_LINE_EVENT_RISING_EDGE}). */
    RISING,
    /** Active to inactive ({@code GPIO_V2_LINE_EVENT_FALLING_EDGE}). */
    FALLING
}
