package io.barco.launch;

import io.barco.plan.LaunchPlan;
import java.util.List;

/** Hears what a launch does, in order; the CLI's verbose mode is one. Every method is optional. */
public interface LaunchObserver {
    LaunchObserver NONE = new LaunchObserver() {};

    /** The container's cgroups were created and limited: each setting as "memory.max to 1G". */
    default void cgroupCreated(String driver, String path, List<String> settings) {}

    default void planned(LaunchPlan plan) {}

    default void started(Container container) {}
}
