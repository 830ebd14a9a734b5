// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal.uapi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A view of one kernel struct of {@code <linux/gpio.h>} in native memory: a
 * direct buffer in the machine's byte order, at a base offset so that embedded
 * structs are views into their parent's buffer. Field offsets follow the header
 * for x86_64 (and every other 64-bit Linux ABI, since the uAPI structs are
 * padded explicitly).
 */
public abstract class KernelStruct {

    /** Size of the fixed {@code char[]} name fields ({@code GPIO_MAX_NAME_SIZE}). */
    public static final int NAME_SIZE = 32;

    private final ByteBuffer buffer;
    private final int base;

    /**
     * A struct in its own, zeroed, direct buffer.
     *
     * @param size the struct size in bytes
     */
    protected KernelStruct(int size) {
        this(ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder()), 0);
    }

    /**
     * A view of a struct embedded in another one.
     *
     * @param buffer the parent's buffer
     * @param base where this struct starts in it
     */
    protected KernelStruct(ByteBuffer buffer, int base) {
        this.buffer = buffer;
        this.base = base;
    }

    /**
     * The buffer that holds the struct, to pass to a system call.
     *
     * @return the direct buffer, positioned at 0
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Where this struct starts in {@link #buffer()}.
     *
     * @return the offset in bytes
     */
    protected final int base() {
        return base;
    }

    /**
     * Zeroes the struct.
     *
     * @param size the struct size
     */
    protected final void zero(int size) {
        for (int i = 0; i < size; i += Long.BYTES) {
            buffer.putLong(base + i, 0L);
        }
    }

    /** @param offset field offset @return the field */
    protected final int u32(int offset) {
        return buffer.getInt(base + offset);
    }

    /** @param offset field offset @param value the value */
    protected final void u32(int offset, int value) {
        buffer.putInt(base + offset, value);
    }

    /** @param offset field offset @return the field */
    protected final long u64(int offset) {
        return buffer.getLong(base + offset);
    }

    /** @param offset field offset @param value the value */
    protected final void u64(int offset, long value) {
        buffer.putLong(base + offset, value);
    }

    /**
     * Reads a NUL-terminated {@code char[NAME_SIZE]} field.
     *
     * @param offset field offset
     * @return the string, empty when the field is empty
     */
    protected final String name(int offset) {
        byte[] bytes = new byte[NAME_SIZE];
        int length = 0;
        while (length < NAME_SIZE) {
            byte b = buffer.get(base + offset + length);
            if (b == 0) {
                break;
            }
            bytes[length++] = b;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Writes a {@code char[NAME_SIZE]} field, truncated to leave room for the NUL.
     *
     * @param offset field offset
     * @param value the string
     */
    protected final void name(int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, NAME_SIZE - 1);
        for (int i = 0; i < NAME_SIZE; i++) {
            buffer.put(base + offset + i, i < length ? bytes[i] : 0);
        }
    }
}
