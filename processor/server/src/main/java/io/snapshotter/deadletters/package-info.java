/**
 * The dead-letters command: reads the dead-letter topic ({@link DeadLetterLog}), selects dead letters
 * ({@link DeadLetterFilter}) and re-drives them to the events topic ({@link Redrive}) once the fold or
 * the data is fixed.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.deadletters;
