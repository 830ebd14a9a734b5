// SPDX-License-Identifier: Apache-2.0
/**
 * The vhost-user transport: sockets, messages, guest memory, split virtqueues.
 * Private to the bundle.
 */
package gpio.vhostuser.internal;
