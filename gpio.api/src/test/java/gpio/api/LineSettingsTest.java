// SPDX-License-Identifier: Apache-2.0
package gpio.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LineSettingsTest {

    @Test
    void inputHasNoOutputValueNoPullAndNoDebounce() {
        LineSettings input = LineSettings.input();
        assertEquals(Direction.INPUT, input.direction());
        assertFalse(input.outputValue());
        assertFalse(input.activeLow());
        assertEquals(Bias.AS_IS, input.bias());
        assertEquals(Drive.PUSH_PULL, input.drive());
        assertEquals(Duration.ZERO, input.debounce());
    }

    @Test
    void outputCarriesItsInitialValue() {
        assertTrue(LineSettings.output(true).outputValue());
        assertFalse(LineSettings.output(false).outputValue());
        assertEquals(Direction.OUTPUT, LineSettings.output(true).direction());
    }

    @Test
    void withersChangeOneFieldAndKeepTheRest() {
        LineSettings settings = LineSettings.output(true).withBias(Bias.PULL_UP).withDrive(Drive.OPEN_DRAIN)
                .withActiveLow(true);
        assertEquals(new LineSettings(Direction.OUTPUT, true, true, Bias.PULL_UP, Drive.OPEN_DRAIN, Duration.ZERO),
                settings);
        LineSettings debounced = LineSettings.input().withDebounce(Duration.ofMillis(5));
        assertEquals(Duration.ofMillis(5), debounced.debounce());
        assertEquals(Direction.INPUT, debounced.direction());
    }

    @Test
    void anInputCannotHaveAnOutputValueOrDrive() {
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> new LineSettings(Direction.INPUT, true, false, Bias.AS_IS, Drive.PUSH_PULL, Duration.ZERO));
        assertEquals("an input has no output value", value.getMessage());
        IllegalArgumentException drive = assertThrows(IllegalArgumentException.class,
                () -> LineSettings.input().withDrive(Drive.OPEN_SOURCE));
        assertEquals("drive OPEN_SOURCE applies to outputs only", drive.getMessage());
    }

    @Test
    void anOutputCannotBeDebounced() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LineSettings.output(false).withDebounce(Duration.ofMillis(1)));
        assertEquals("debounce applies to inputs only", e.getMessage());
    }

    @Test
    void debounceMustBeBetweenZeroAndOneHour() {
        assertThrows(IllegalArgumentException.class, () -> LineSettings.input().withDebounce(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> LineSettings.input().withDebounce(Duration.ofHours(1)));
        assertEquals(Duration.ofMinutes(59), LineSettings.input().withDebounce(Duration.ofMinutes(59)).debounce());
    }

    @Test
    void nullFieldsAreRefused() {
        assertThrows(NullPointerException.class, () -> LineSettings.input().withBias(null));
        assertThrows(NullPointerException.class, () -> LineSettings.output(true).withDrive(null));
        assertThrows(NullPointerException.class, () -> LineSettings.input().withDebounce(null));
        assertThrows(NullPointerException.class,
                () -> new LineSettings(null, false, false, Bias.AS_IS, Drive.PUSH_PULL, Duration.ZERO));
    }
}
