// SPDX-License-Identifier: Apache-2.0
package gpio.itest.osgi;

import java.nio.file.Path;

import javax.inject.Inject;

import org.junit.Before;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import gpio.itest.GatewayOptions;

/**
 * What the suite's tests share: the gateway's bundle set in a fresh framework
 * with its own {@code gpio.data}, the test frontend from the test class path,
 * and an {@link Operator} acting through ConfigAdmin.
 */
public abstract class OperatorFramework {

    @Inject
    protected BundleContext context;

    @Inject
    protected ConfigurationAdmin configAdmin;

    protected Operator operator;
    protected Path dataDir;

    @Configuration
    public Option[] config() {
        return OptionUtils.combine(GatewayOptions.gatewayBundleSet(GatewayOptions.newDataDir()),
                GatewayOptions.frontendFromTestClassPath());
    }

    @Before
    public void setUpOperator() {
        operator = new Operator(context, configAdmin);
        dataDir = Path.of(context.getProperty("gpio.data"));
    }
}
