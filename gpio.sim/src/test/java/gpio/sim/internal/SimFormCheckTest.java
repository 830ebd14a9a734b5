// SPDX-License-Identifier: Apache-2.0
package gpio.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.webconsole.spi.ValidationException;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** The web console refuses a simulator configuration that the simulator would refuse, with the same message. */
class SimFormCheckTest {

    /** Saved so far: the configuration gpio.sim~taken, labelled "taken". */
    private static final Map<String, String> SAVED_LABELS = Map.of("gpio.sim~taken", "taken");

    /** Another controller, a chip labelled "taken", is running. */
    private final SimFormCheck check = new SimFormCheck(
            stub(BundleContext.class, (proxy, method, args) -> method.getName().equals("getServiceReferences")
                    && "(gpio.label=taken)".equals(args[1]) ? List.of(chipLabelledTaken()) : List.of()),
            stub(ConfigurationAdmin.class, (proxy, method, args) -> savedConfiguration((String) args[0])));

    private static <T> T stub(Class<T> type, InvocationHandler answers) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, answers));
    }

    private static ServiceReference<?> chipLabelledTaken() {
        return stub(ServiceReference.class, (proxy, method, args) -> Map.of("gpio.backend", "cdev", "service.id", 7L)
                .get(args[0]));
    }

    /** Answers listConfigurations("(service.pid=...)"). */
    private static Configuration[] savedConfiguration(String filter) {
        String pid = filter.substring("(service.pid=".length(), filter.length() - 1);
        String label = SAVED_LABELS.get(pid);
        if (label == null) {
            return null;
        }
        Hashtable<String, Object> properties = new Hashtable<>(Map.of("label", label));
        return new Configuration[] {stub(Configuration.class, (proxy, method, args) ->
                method.getName().equals("getProperties") ? properties : null)};
    }

    /** As the console's form hands them over: converted by the metatype types, lists as arrays. */
    private static Hashtable<String, Object> valid() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("label", "sim1");
        properties.put("line.count", 4);
        properties.put("line.names", new String[] {"LED", "BUTTON"});
        properties.put("line.pulls", new String[] {"down", "up"});
        properties.put("latency.us", 0);
        return properties;
    }

    private String refused(Hashtable<String, Object> properties) {
        return assertThrows(ValidationException.class,
                () -> check.updateConfiguration("gpio.sim", "gpio.sim~sim1", properties)).getMessage();
    }

    @Test
    void aValidConfigurationPasses() throws Exception {
        check.updateConfiguration("gpio.sim", "gpio.sim~sim1", valid());
    }

    @Test
    void invalidValuesAreRefusedWithTheSimulatorsMessage() {
        Hashtable<String, Object> badLabel = valid();
        badLabel.put("label", "sim 1");
        assertEquals("label 'sim 1' is not 1 to 64 characters among letters, digits, '.', '_' and '-'"
                + " starting with a letter or digit", refused(badLabel));
        Hashtable<String, Object> noLabel = valid();
        noLabel.remove("label");
        assertEquals("label (missing) is not 1 to 64 characters among letters, digits, '.', '_' and '-'"
                + " starting with a letter or digit", refused(noLabel));
        Hashtable<String, Object> tooMany = valid();
        tooMany.put("line.count", 2000);
        assertEquals("line.count 2000 is not between 1 and 1024", refused(tooMany));
        Hashtable<String, Object> twice = valid();
        twice.put("line.names", new String[] {"LED", "LED"});
        assertEquals("line.names[1] 'LED' is already the name of line 0", refused(twice));
        Hashtable<String, Object> sideways = valid();
        sideways.put("line.pulls", List.of("up", "sideways"));
        assertEquals("line.pulls[1] 'sideways' is neither 'up' nor 'down'", refused(sideways));
    }

    /** The console keeps text that is not a number as text; the check names the property. */
    @Test
    void textWhereANumberBelongsIsRefused() {
        Hashtable<String, Object> text = valid();
        text.put("recording.limit", "lots");
        assertEquals("recording.limit \"lots\" is not a whole number", refused(text));
    }

    @Test
    void missingValuesTakeTheDefaults() throws Exception {
        Hashtable<String, Object> labelOnly = new Hashtable<>();
        labelOnly.put("label", "sim2");
        check.updateConfiguration("gpio.sim", "gpio.sim~sim2", labelOnly);
    }

    @Test
    void aLabelAnotherControllerHasIsRefusedUnlessTheChipAlreadyHasIt() throws Exception {
        Hashtable<String, Object> taken = valid();
        taken.put("label", "taken");
        assertEquals("label 'taken' is already used by another GPIO controller (cdev, service 7)", refused(taken));
        check.updateConfiguration("gpio.sim", "gpio.sim~taken", taken);
    }

    @Test
    void otherFactoriesAreNotChecked() throws Exception {
        check.updateConfiguration("gpio.virtio", "gpio.virtio~gpio0", new Hashtable<>());
    }
}
