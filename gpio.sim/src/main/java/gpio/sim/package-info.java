// SPDX-License-Identifier: Apache-2.0
/**
 * The control surface of the GPIO simulator, for in-process tests and other bundles.
 *
 * <p>Each simulated chip registers one service object under both
 * {@link gpio.api.GpioController} and {@link gpio.sim.GpioSimulator}, with the
 * same {@value gpio.api.GpioController#LABEL_PROPERTY} service property, so a test
 * drives the very chip the code under test uses: it sets the level a button
 * would drive ({@link gpio.sim.GpioSimulator#setInput}), plays waveforms,
 * injects faults and latency, and reads back every recorded level change
 * (exportable as a VCD file for GTKWave).
 */
@Export
@Version("1.1.0")
package gpio.sim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
