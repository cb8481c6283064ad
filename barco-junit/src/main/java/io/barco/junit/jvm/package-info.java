/**
 * Internal: JVM mode's engine. The extension resolves each test class's {@link
 * io.barco.junit.jvm.ClassPlan} once ({@link io.barco.junit.jvm.Granularity}, the batch its tests
 * share) and hands it here; {@link io.barco.junit.jvm.ClassForks} runs the shared JVMs through a
 * {@link io.barco.junit.jvm.BatchFork} and answers with outcomes and usage. Nothing here calls back
 * into the extension. Public only for the other packages of barco-junit.
 */
package io.barco.junit.jvm;
