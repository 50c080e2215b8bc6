package io.snapshotter.snapshot;

/** A snapshot whose state fails its checksum or does not decode: never to be used as good. */
public class CorruptSnapshotException extends RuntimeException {

    public CorruptSnapshotException(String aggregateId, long version, String problem) {
        super("Snapshot " + aggregateId + "@" + version + " is corrupt: " + problem);
    }
}
