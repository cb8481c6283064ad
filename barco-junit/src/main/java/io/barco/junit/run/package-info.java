/**
 * Internal: one run's shared state ({@code BarcoRun}), held in the root context's store by the
 * extension and closed by JUnit when the run ends: nothing of a run lives in a static field.
 * Public only for the API package.
 */
package io.barco.junit.run;
