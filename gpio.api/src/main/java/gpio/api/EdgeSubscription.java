// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An open edge watch, returned by {@link GpioLine#watchEdges}.
 *
 * <p>Implemented by backends; consumers only close it.
 */
@ProviderType
public interface EdgeSubscription extends AutoCloseable {

    /**
     * Stops edge detection. Synchronous: once this returns, the listener is not
     * called again, and a call that was running has finished (unless close was
     * called from inside the listener itself). Idempotent; never fails.
     */
    @Override
    void close();
}
