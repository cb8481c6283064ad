package sample;

import org.junit.Test;

public class ServiceDTest {
    @Test
    public void holdsThePortAndTheFile() throws Exception {
        FixedResources.hold(getClass().getName());
    }
}
