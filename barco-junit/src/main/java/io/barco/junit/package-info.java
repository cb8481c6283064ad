/**
 * barco's JUnit 5 API and extension: what a test imports ({@link io.barco.junit.InBarco},
 * {@link io.barco.junit.OnHost}, {@link io.barco.junit.BarcoContainer},
 * {@link io.barco.junit.RunningCommand}, {@link io.barco.junit.BarcoAssertions}) and what JUnit
 * loads by name ({@link io.barco.junit.BarcoExtension}, {@link io.barco.junit.TestPlanClasses} in
 * {@code META-INF/services}). The extension decides each test's mode ({@code TestModes}: command
 * mode runs on the host with a {@code BarcoContainer}; JVM mode runs in a forked JVM) and resolves
 * each class's JVM-mode plan once ({@code ClassPlans}), which the engine in {@code io.barco.junit.jvm}
 * carries out; a run's state is one {@code io.barco.junit.run.BarcoRun}.
 *
 * <p>The subpackages are internal: their public types serve this package and each other, not user
 * code, and may change without notice.
 */
package io.barco.junit;
