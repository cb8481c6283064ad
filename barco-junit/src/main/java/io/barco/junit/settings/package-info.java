/**
 * Internal: a test's settings. {@code InBarcoSettings} merges the {@code @InBarco} layers of a test
 * (outer classes, class, method) and the {@code barco.*} configuration parameters
 * ({@code ConfiguredLayer}) and turns them into a {@code ContainerSpec} through the runtime's
 * {@code SpecOptions}; {@code InBarcoAttributes} names the attribute or parameter that fixes a bad
 * value. Public only for the other packages of barco-junit.
 */
package io.barco.junit.settings;
