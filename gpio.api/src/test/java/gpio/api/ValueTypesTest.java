// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void lineInfoOfAnUnusedInputHasNeutralValuesNotNulls() {
        LineInfo info = LineInfo.unusedInput(3, "LED3");
        assertEquals(new LineInfo(3, "LED3", false, "", Direction.INPUT, false, Bias.AS_IS, Drive.PUSH_PULL), info);
    }

    @Test
    void lineInfoRefusesNegativeOffsetsAndNulls() {
        assertThrows(IllegalArgumentException.class, () -> LineInfo.unusedInput(-1, ""));
        assertThrows(NullPointerException.class, () -> LineInfo.unusedInput(0, null));
        assertThrows(NullPointerException.class,
                () -> new LineInfo(0, "", true, null, Direction.OUTPUT, false, Bias.AS_IS, Drive.PUSH_PULL));
        assertThrows(NullPointerException.class,
                () -> new LineInfo(0, "", true, "", null, false, Bias.AS_IS, Drive.PUSH_PULL));
        assertThrows(NullPointerException.class,
                () -> new LineInfo(0, "", true, "", Direction.INPUT, false, null, Drive.PUSH_PULL));
        assertThrows(NullPointerException.class,
                () -> new LineInfo(0, "", true, "", Direction.INPUT, false, Bias.AS_IS, null));
    }

    @Test
    void edgeEventSequenceNumbersStartAtOne() {
        EdgeEvent event = new EdgeEvent(2, Edge.FALLING, 123L, 1, 1);
        assertEquals(Edge.FALLING, event.edge());
        assertThrows(IllegalArgumentException.class, () -> new EdgeEvent(2, Edge.RISING, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new EdgeEvent(2, Edge.RISING, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new EdgeEvent(-1, Edge.RISING, 0, 1, 1));
        assertThrows(NullPointerException.class, () -> new EdgeEvent(0, null, 0, 1, 1));
    }

    @Test
    void edgeDetectionReportsTheEdgesItNames() {
        assertTrue(EdgeDetection.RISING.reports(Edge.RISING));
        assertFalse(EdgeDetection.RISING.reports(Edge.FALLING));
        assertTrue(EdgeDetection.FALLING.reports(Edge.FALLING));
        assertFalse(EdgeDetection.FALLING.reports(Edge.RISING));
        assertTrue(EdgeDetection.BOTH.reports(Edge.RISING));
        assertTrue(EdgeDetection.BOTH.reports(Edge.FALLING));
    }

    @Test
    void gpioExceptionAlwaysHasAReason() {
        IOException cause = new IOException("EBUSY");
        GpioException e = new GpioException(GpioException.Reason.BUSY, "line 3 is used by gpioset", cause);
        assertEquals(GpioException.Reason.BUSY, e.reason());
        assertEquals("line 3 is used by gpioset", e.getMessage());
        assertSame(cause, e.getCause());
        assertThrows(NullPointerException.class, () -> new GpioException(null, "no reason"));
    }
}
