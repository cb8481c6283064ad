/**
 * Internal: the names barco-junit reads its configuration under ({@code BarcoKeys}), at the bottom
 * of its packages so that each of them can refer to one spelling. Public only for the other packages
 * of barco-junit.
 */
package io.barco.junit.config;
