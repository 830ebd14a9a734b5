// SPDX-License-Identifier: Apache-2.0
/**
 * The GPIO controller service API.
 *
 * <p>A backend (a simulator, a Linux GPIO character device, ...) publishes one
 * {@link gpio.api.GpioController} service per chip, with the service properties
 * {@value gpio.api.GpioController#LABEL_PROPERTY} (unique) and
 * {@value gpio.api.GpioController#BACKEND_PROPERTY}, so a consumer can pick one
 * with an LDAP filter such as {@code (gpio.label=sim0)}.
 *
 * <p>The model follows the Linux GPIO character device uAPI v2 and libgpiod v2:
 * a consumer requests a line ({@link gpio.api.GpioController#request}) and gets a
 * {@link gpio.api.GpioLine} handle through which it reads, drives, reconfigures,
 * watches edges on and finally releases the line.
 */
@Export
@Version("1.1.0")
package gpio.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
