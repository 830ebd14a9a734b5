// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

import java.util.Locale;

/**
 * What a guest output line is left at when the guest lets go of it unexpectedly
 * (frontend disconnect, device reset, the device stopping), set per line by the
 * operator ({@code safe.state}). A guest that releases a line itself
 * (SET_DIRECTION NONE) always releases it.
 */
enum SafeState {
    /** The line is released, as a guest's own release does (the default). */
    RELEASE,
    /** The line keeps driving the last value the guest gave it. */
    HOLD,
    /** The line is driven low. */
    LOW,
    /** The line is driven high. */
    HIGH;

    /**
     * Whether this state keeps the line driven after the guest let go.
     *
     * @return {@code false} for {@link #RELEASE}
     */
    boolean drives() {
        return this != RELEASE;
    }

    /**
     * The level driven after the guest let go of a line it drove at {@code last}.
     *
     * @param last the value the guest drove
     * @return the level to drive
     */
    boolean level(boolean last) {
        return this == HOLD ? last : this == HIGH;
    }

    /**
     * The state's name as the configuration spells it.
     *
     * @return {@code release}, {@code hold}, {@code low} or {@code high}
     */
    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a state as the configuration spells it.
     *
     * @param text the text
     * @return the state, {@code null} when the text names none
     */
    static SafeState parse(String text) {
        for (SafeState state : values()) {
            if (state.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return state;
            }
        }
        return null;
    }
}
