package sample;

import org.junit.Test;

public class ServiceBTest {
    @Test
    public void holdsThePortAndTheFile() throws Exception {
        FixedResources.hold(getClass().getName());
    }
}
