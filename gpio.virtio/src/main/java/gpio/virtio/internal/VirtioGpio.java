// SPDX-License-Identifier: Apache-2.0
package gpio.virtio.internal;

/**
 * The constants of the virtio-gpio device, as the OASIS virtio specification
 * (section "GPIO Device", {@code device-types/gpio/description.tex}) and the
 * Linux header {@code include/uapi/linux/virtio_gpio.h} define them. Nothing
 * but constants.
 */
final class VirtioGpio {

    /** The virtio device id of a GPIO device. */
    static final int DEVICE_ID = 41;

    /** Queue 0: the driver's requests. */
    static final int REQUEST_QUEUE = 0;
    /** Queue 1: interrupt buffers, only with {@link #F_IRQ}. */
    static final int EVENT_QUEUE = 1;
    /** The number of virtqueues. */
    static final int QUEUE_COUNT = 2;

    /** Feature bit 0: {@code VIRTIO_GPIO_F_IRQ}, the device supports interrupts. */
    static final long F_IRQ = 1L << 0;
    /** Feature bit 28: {@code VIRTIO_RING_F_INDIRECT_DESC}. */
    static final long F_RING_INDIRECT_DESC = 1L << 28;
    /** Feature bit 29: {@code VIRTIO_RING_F_EVENT_IDX}. */
    static final long F_RING_EVENT_IDX = 1L << 29;
    /** Feature bit 32: {@code VIRTIO_F_VERSION_1}. */
    static final long F_VERSION_1 = 1L << 32;

    /** Size of {@code struct virtio_gpio_config}: le16 ngpio, u8 padding[2], le32 gpio_names_size. */
    static final int CONFIG_SIZE = 8;
    /** Offset of {@code ngpio} in the config space. */
    static final int CONFIG_NGPIO = 0;
    /** Offset of {@code gpio_names_size} in the config space. */
    static final int CONFIG_NAMES_SIZE = 4;

    /** Size of {@code struct virtio_gpio_request}: le16 type, le16 gpio, le32 value. */
    static final int REQUEST_SIZE = 8;
    /** Size of {@code struct virtio_gpio_response}: u8 status, u8 value. */
    static final int RESPONSE_SIZE = 2;
    /** Size of {@code struct virtio_gpio_irq_request}: le16 gpio. */
    static final int IRQ_REQUEST_SIZE = 2;
    /** Size of {@code struct virtio_gpio_irq_response}: u8 status. */
    static final int IRQ_RESPONSE_SIZE = 1;

    /** {@code VIRTIO_GPIO_MSG_GET_LINE_NAMES} ({@code GET_NAMES} in the Linux header). */
    static final int MSG_GET_LINE_NAMES = 0x0001;
    /** {@code VIRTIO_GPIO_MSG_GET_DIRECTION}. */
    static final int MSG_GET_DIRECTION = 0x0002;
    /** {@code VIRTIO_GPIO_MSG_SET_DIRECTION}. */
    static final int MSG_SET_DIRECTION = 0x0003;
    /** {@code VIRTIO_GPIO_MSG_GET_VALUE}. */
    static final int MSG_GET_VALUE = 0x0004;
    /** {@code VIRTIO_GPIO_MSG_SET_VALUE}. */
    static final int MSG_SET_VALUE = 0x0005;
    /** {@code VIRTIO_GPIO_MSG_SET_IRQ_TYPE} ({@code IRQ_TYPE} in the Linux header). */
    static final int MSG_SET_IRQ_TYPE = 0x0006;

    /** {@code VIRTIO_GPIO_STATUS_OK}. */
    static final byte STATUS_OK = 0x0;
    /** {@code VIRTIO_GPIO_STATUS_ERR}. */
    static final byte STATUS_ERR = 0x1;

    /** {@code VIRTIO_GPIO_DIRECTION_NONE}: the line is not in use. */
    static final int DIRECTION_NONE = 0x00;
    /** {@code VIRTIO_GPIO_DIRECTION_OUT}. */
    static final int DIRECTION_OUT = 0x01;
    /** {@code VIRTIO_GPIO_DIRECTION_IN}. */
    static final int DIRECTION_IN = 0x02;

    /** {@code VIRTIO_GPIO_IRQ_TYPE_NONE}: interrupt disabled. */
    static final int IRQ_TYPE_NONE = 0x00;
    /** {@code VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING}. */
    static final int IRQ_TYPE_EDGE_RISING = 0x01;
    /** {@code VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING}. */
    static final int IRQ_TYPE_EDGE_FALLING = 0x02;
    /** {@code VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH}. */
    static final int IRQ_TYPE_EDGE_BOTH = 0x03;
    /** {@code VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH}. */
    static final int IRQ_TYPE_LEVEL_HIGH = 0x04;
    /** {@code VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW}. */
    static final int IRQ_TYPE_LEVEL_LOW = 0x08;

    /** {@code VIRTIO_GPIO_IRQ_STATUS_INVALID}: buffer returned unused, the interrupt is disabled. */
    static final byte IRQ_STATUS_INVALID = 0x0;
    /** {@code VIRTIO_GPIO_IRQ_STATUS_VALID}: one interrupt happened. */
    static final byte IRQ_STATUS_VALID = 0x1;

    private VirtioGpio() {
    }
}
