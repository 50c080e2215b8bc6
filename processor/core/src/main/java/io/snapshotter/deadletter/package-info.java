/**
 * Dead-letter records: the original record plus headers saying why ({@link DeadLetterReason}), where it came
 * from and when it was rejected.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.deadletter;
