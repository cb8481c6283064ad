package sample;

import org.junit.Test;

public class ServiceCTest {
    @Test
    public void holdsThePortAndTheFile() throws Exception {
        FixedResources.hold(getClass().getName());
    }
}
