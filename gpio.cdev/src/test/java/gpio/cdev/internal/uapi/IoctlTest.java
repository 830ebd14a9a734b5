// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The request numbers are those of {@code <linux/gpio.h>} (printed by a C
 * program including it on x86_64), which encode the struct sizes the kernel
 * expects: so the sizes of the mirrored structs are checked against the kernel's.
 */
class IoctlTest {

    @Test
    void requestNumbersAreTheKernels() {
        assertEquals(0x8044B401L, Ioctl.GET_CHIPINFO.number());
        assertEquals(0xC100B405L, Ioctl.GET_LINEINFO.number());
        assertEquals(0xC100B406L, Ioctl.GET_LINEINFO_WATCH.number());
        assertEquals(0xC250B407L, Ioctl.GET_LINE.number());
        assertEquals(0xC110B40DL, Ioctl.LINE_SET_CONFIG.number());
        assertEquals(0xC010B40EL, Ioctl.LINE_GET_VALUES.number());
        assertEquals(0xC010B40FL, Ioctl.LINE_SET_VALUES.number());
    }

    @Test
    void structSizesMatchTheSizesEncodedInTheRequestNumbers() {
        assertEquals(Ioctl.GET_CHIPINFO.argumentSize(), new ChipInfo().buffer().capacity());
        assertEquals(Ioctl.GET_LINEINFO.argumentSize(), new LineInfo().buffer().capacity());
        assertEquals(Ioctl.GET_LINE.argumentSize(), new LineRequest().buffer().capacity());
        assertEquals(Ioctl.LINE_SET_CONFIG.argumentSize(), new LineConfig().buffer().capacity());
        assertEquals(Ioctl.LINE_GET_VALUES.argumentSize(), new LineValues().buffer().capacity());
        assertEquals(0x250, LineRequest.SIZE);
        // Embedded and read-only structs: sizes from the header's layout.
        assertEquals(LineInfo.SIZE + 32, LineInfoChanged.SIZE);
        assertEquals(48, LineEvent.SIZE);
        assertEquals(LineConfig.SIZE, 32 + LineConfig.MAX_ATTRIBUTES * LineConfig.CONFIG_ATTRIBUTE_SIZE);
    }

    @Test
    void requestLayoutPlacesEachFieldWhereTheKernelReadsIt() {
        LineRequest request = new LineRequest();
        request.setSingleLine(5, "consumer-name-longer-than-thirty-one-bytes", 64);
        request.config().setSingleLine(LineFlag.OUTPUT | LineFlag.ACTIVE_LOW, true, 0);
        java.nio.ByteBuffer bytes = request.buffer();
        assertEquals(5, bytes.getInt(0));
        assertEquals('c', bytes.get(256));
        assertEquals(0, bytes.get(256 + 31), "the consumer is NUL-terminated within 32 bytes");
        assertEquals(LineFlag.OUTPUT | LineFlag.ACTIVE_LOW, bytes.getLong(288));
        assertEquals(1, bytes.getInt(288 + 8), "one attribute: the output values");
        assertEquals(LineAttribute.ID_OUTPUT_VALUES, bytes.getInt(288 + 32));
        assertEquals(1L, bytes.getLong(288 + 32 + 8), "value bitmap");
        assertEquals(1L, bytes.getLong(288 + 32 + 16), "mask");
        assertEquals(1, bytes.getInt(560), "num_lines");
        assertEquals(64, bytes.getInt(564), "event_buffer_size");
        bytes.putInt(588, 42);
        assertEquals(42, request.fd());
    }
}
