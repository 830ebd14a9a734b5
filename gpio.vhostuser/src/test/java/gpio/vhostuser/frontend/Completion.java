// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.frontend;

/**
 * A buffer the backend returned through the used ring.
 *
 * @param token what {@link FrontendQueue#submit} returned for the request (its head descriptor)
 * @param written the bytes the backend wrote, as many as the used length says
 */
public record Completion(int token, byte[] written) {
}
