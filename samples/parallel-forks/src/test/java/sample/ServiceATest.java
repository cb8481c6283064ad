package sample;

import org.junit.Test;

public class ServiceATest {
    @Test
    public void holdsThePortAndTheFile() throws Exception {
        FixedResources.hold(getClass().getName());
    }
}
