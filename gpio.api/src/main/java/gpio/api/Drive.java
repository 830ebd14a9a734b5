// SPDX-License-Identifier: Apache-2.0
package gpio.api;

/** How an output drives its line ({@code GPIO_V2_LINE_FLAG_OPEN_*}). */
public enum Drive {
    /** Drives both levels. */
    PUSH_PULL,
    /** Drives low only; high is left to a pull-up. */
    OPEN_DRAIN,
    /** Drives high only; low is left to a pull-down. */
    OPEN_SOURCE
}
