// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the edges detected on a watched line.
 *
 * <p>Implemented by consumers of the API and passed to {@link GpioLine#watchEdges}.
 * Called on a backend thread that may serve other lines too: an implementation
 * must return quickly and must not block.
 */
@ConsumerType
@FunctionalInterface
public interface EdgeListener {

    /**
     * One detected edge.
     *
     * @param event the edge
     */
    void onEdge(EdgeEvent event);
}
