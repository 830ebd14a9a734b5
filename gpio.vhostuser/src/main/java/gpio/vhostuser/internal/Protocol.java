// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

/**
 * vhost-user wire constants, as named in QEMU's docs/interop/vhost-user.rst.
 */
final class Protocol {

    static final int HEADER_SIZE = 12;
    static final int VERSION = 1;
    static final int FLAG_VERSION_MASK = 0x3;
    static final int FLAG_REPLY = 1 << 2;
    static final int FLAG_NEED_REPLY = 1 << 3;
    /** The largest payload accepted; the largest legitimate one is a config access of at most 256 bytes plus 12. */
    static final int MAX_PAYLOAD = 4096;
    /** The most file descriptors one message may carry (SET_MEM_TABLE). */
    static final int MAX_FDS = 8;

    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int RESET_OWNER = 4;
    static final int SET_MEM_TABLE = 5;
    static final int SET_LOG_BASE = 6;
    static final int SET_LOG_FD = 7;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int SET_VRING_ERR = 14;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int GET_QUEUE_NUM = 17;
    static final int SET_VRING_ENABLE = 18;
    static final int GET_CONFIG = 24;
    static final int SET_CONFIG = 25;
    static final int RESET_DEVICE = 34;
    static final int GET_MAX_MEM_SLOTS = 36;
    static final int ADD_MEM_REG = 37;
    static final int REM_MEM_REG = 38;
    static final int SET_STATUS = 39;
    static final int GET_STATUS = 40;

    static final int F_MQ = 0;
    static final int F_REPLY_ACK = 3;
    static final int F_CONFIG = 9;
    static final int F_RESET_DEVICE = 13;
    static final int F_CONFIGURE_MEM_SLOTS = 15;
    static final int F_STATUS = 16;
    /** The protocol features this backend implements. */
    static final long PROTOCOL_FEATURES = 1L << F_MQ | 1L << F_REPLY_ACK | 1L << F_CONFIG | 1L << F_RESET_DEVICE
            | 1L << F_CONFIGURE_MEM_SLOTS | 1L << F_STATUS;
    /** VHOST_USER_F_PROTOCOL_FEATURES, a virtio feature bit the transport adds to the device's. */
    static final long VHOST_USER_F_PROTOCOL_FEATURES = 1L << 30;

    /**
     * Virtio transport feature bits (24 to 41) the transport does NOT implement,
     * removed from what a device offers: NOTIFY_ON_EMPTY (24), ACCESS_PLATFORM (33),
     * RING_PACKED (34), IN_ORDER (35), ORDER_PLATFORM (36), SR_IOV (37),
     * NOTIFICATION_DATA (38), NOTIF_CONFIG_DATA (39), RING_RESET (40), ADMIN_VQ (41).
     * The ones it does implement, VERSION_1 (32), INDIRECT_DESC (28) and EVENT_IDX
     * (29), pass through when the device offers them.
     */
    static final long UNSUPPORTED_TRANSPORT_FEATURES = 1L << 24 | 0x3FEL << 32;

    /** Bits 0-7 of a KICK/CALL/ERR payload: the queue index. */
    static final long VRING_INDEX_MASK = 0xff;
    /** Bit 8 of a KICK/CALL/ERR payload: no fd comes with the message. */
    static final long VRING_NOFD_MASK = 1L << 8;

    private Protocol() {
    }

    static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_LOG_BASE -> "SET_LOG_BASE";
            case SET_LOG_FD -> "SET_LOG_FD";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case GET_CONFIG -> "GET_CONFIG";
            case SET_CONFIG -> "SET_CONFIG";
            case RESET_DEVICE -> "RESET_DEVICE";
            case GET_MAX_MEM_SLOTS -> "GET_MAX_MEM_SLOTS";
            case ADD_MEM_REG -> "ADD_MEM_REG";
            case REM_MEM_REG -> "REM_MEM_REG";
            case SET_STATUS -> "SET_STATUS";
            case GET_STATUS -> "GET_STATUS";
            default -> "request " + Integer.toUnsignedString(request);
        };
    }
}
