/**
 * DynamoDB as the snapshot store: the table (checked or created), the SnapshotSink that writes it with
 * BatchWriteItem, the history reader, retention of the newest K snapshots per aggregate, and the dynamodb.*
 * settings.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.dynamodb;
