// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

/**
 * A frontend sent something the transport refuses: a malformed message, an
 * out-of-range index, a memory region that does not fit its file, a ring outside
 * guest memory. The message handler logs it and answers with a failure reply
 * (or drops the connection where the protocol has no way to report failure).
 */
final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }

    ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
