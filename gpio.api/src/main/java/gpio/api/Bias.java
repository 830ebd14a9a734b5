// SPDX-License-Identifier: Apache-2.0
package gpio.api;

/** The internal pull of a line ({@code GPIO_V2_LINE_FLAG_BIAS_*}). */
public enum Bias {
    /** Left as the hardware has it, or not known. */
    AS_IS,
    /** No pull ({@code BIAS_DISABLED}). */
    DISABLED,
    /** Pulled up ({@code BIAS_PULL_UP}). */
    PULL_UP,
    /** Pulled down ({@code BIAS_PULL_DOWN}). */
    PULL_DOWN
}
