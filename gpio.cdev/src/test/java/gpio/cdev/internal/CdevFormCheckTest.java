// SPDX-License-Identifier: Apache-2.0
package gpio.cdev.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Vector;

import org.apache.felix.webconsole.spi.ValidationException;
import org.junit.jupiter.api.Test;

import gpio.api.Bias;
import gpio.api.Drive;
import gpio.form.internal.ComponentProperties;

/**
 * The web console refuses a chip configuration that the component would refuse
 * without opening the chip, with the same message.
 */
class CdevFormCheckTest {

    /** ConfigAdmin is asked only for edits that do not name the factory; none here does. */
    private final CdevFormCheck check = new CdevFormCheck(null);

    /** As the console's form hands them over: converted by the metatype types, lists as arrays. */
    private static Hashtable<String, Object> valid() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("chip", "gpiochip0");
        properties.put("offsets", new Integer[] {4, 2, 7});
        properties.put("gpio.label", "board-pins");
        properties.put("bias", "PULL_UP");
        properties.put("drive", "OPEN_DRAIN");
        properties.put("debounce.us", 2000L);
        return properties;
    }

    private String refused(Hashtable<String, Object> properties) {
        return assertThrows(ValidationException.class,
                () -> check.updateConfiguration("gpio.cdev", "gpio.cdev~board", properties)).getMessage();
    }

    @Test
    void aValidConfigurationPassesAndReadsAsTheComponentReadsIt() throws Exception {
        check.updateConfiguration("gpio.cdev", "gpio.cdev~board", valid());
        CdevController.Options options = CdevComponent.options(
                ComponentProperties.as(CdevConfiguration.class, valid()));
        assertArrayEquals(new int[] {4, 2, 7}, options.offsets());
        assertEquals("vgpio", options.consumer(), "the default");
        assertEquals(new LineDefaults(Bias.PULL_UP, Drive.OPEN_DRAIN, false, Duration.ofMillis(2)),
                options.defaults());
    }

    @Test
    void theEmptyOffsetsFieldAsABrowserPostsItServesEveryLine() throws Exception {
        // The console stores the empty field of a list as one empty text, whatever the list's type.
        Hashtable<String, Object> posted = valid();
        posted.put("offsets", new String[] {""});
        check.updateConfiguration("gpio.cdev", "gpio.cdev~board", posted);
        assertArrayEquals(new int[0],
                CdevComponent.options(ComponentProperties.as(CdevConfiguration.class, posted)).offsets());
        posted.put("offsets", new String[] {" 4", "", "2 "});
        assertArrayEquals(new int[] {4, 2},
                CdevComponent.options(ComponentProperties.as(CdevConfiguration.class, posted)).offsets());
    }

    @Test
    void badOffsetsAreRefused() {
        Hashtable<String, Object> twice = valid();
        twice.put("offsets", new Integer[] {4, 2, 4});
        assertEquals("offsets: line 4 is listed twice", refused(twice));
        Hashtable<String, Object> negative = valid();
        negative.put("offsets", new Vector<>(List.of(-1)));
        assertEquals("offsets: -1 is not a line offset (0 or more)", refused(negative));
        Hashtable<String, Object> text = valid();
        text.put("offsets", new String[] {"4", "five"});
        assertEquals("offsets \"five\" is not a whole number", refused(text));
    }

    @Test
    void unknownBiasAndDriveNamesAreRefused() {
        Hashtable<String, Object> bias = valid();
        bias.put("bias", "PULL_SIDEWAYS");
        assertEquals("bias \"PULL_SIDEWAYS\" is not one of [AS_IS, DISABLED, PULL_UP, PULL_DOWN]", refused(bias));
        Hashtable<String, Object> drive = valid();
        drive.put("drive", "open_drain");
        assertEquals("drive \"open_drain\" is not one of [PUSH_PULL, OPEN_DRAIN, OPEN_SOURCE]", refused(drive));
    }

    @Test
    void aDebounceOutsideZeroToOneHourIsRefused() {
        Hashtable<String, Object> hour = valid();
        hour.put("debounce.us", 3_600_000_000L);
        assertEquals("debounce.us 3600000000: debounce must be between 0 and 1 hour, got PT1H", refused(hour));
        Hashtable<String, Object> negative = valid();
        negative.put("debounce.us", -1L);
        assertEquals("debounce.us -1: debounce must be between 0 and 1 hour, got PT-0.000001S", refused(negative));
        Hashtable<String, Object> huge = valid();
        huge.put("debounce.us", Long.MAX_VALUE);
        assertEquals("debounce.us 9223372036854775807: debounce must be between 0 and 1 hour, got"
                + " PT2562047788H54.775807S", refused(huge));
    }

    @Test
    void aLabelThatIsNotAFilterSafeNameIsRefused() throws Exception {
        Hashtable<String, Object> spaced = valid();
        spaced.put("gpio.label", "board pins");
        assertEquals("gpio.label 'board pins' is not 1 to 64 characters among letters, digits, '.', '_' and '-'"
                + " starting with a letter or digit", refused(spaced));
        Hashtable<String, Object> empty = valid();
        empty.put("gpio.label", "");
        check.updateConfiguration("gpio.cdev", "gpio.cdev~board", empty);
    }

    @Test
    void otherFactoriesAreNotChecked() throws Exception {
        check.updateConfiguration("gpio.sim", "gpio.sim~sim0", new Hashtable<>());
    }
}
