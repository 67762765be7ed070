/**
 * The trainer's machinery, not for use outside {@code dev.grustream.train}: parameters laid out like the serving
 * kernels, the hand-written forward and backward pass over a window, Adam, and the causal replay that validates.
 */
package dev.grustream.train.internals;
