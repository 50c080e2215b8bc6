package io.snapshotter.dynamodb;

import java.util.Map;

/**
 * What the store's reader and retention know of the processor writing the table.
 *
 * @param currentFoldVersions per aggregate type, the fold version folding it now: a snapshot of
 *                            another fold version is superseded once its aggregate has one of this
 *                            version (readers skip it, retention deletes it); a type not listed has
 *                            no preferred version
 * @param maxStateBytes       the largest state a reader decompresses ({@code snapshot.max.bytes});
 *                            a state inflating beyond it is corrupt
 */
public record ProcessorFacts(Map<String, Integer> currentFoldVersions, int maxStateBytes) {

    /** No fold version preferred; states up to the most {@code snapshot.max.bytes} allows. */
    public static final ProcessorFacts NONE =
        new ProcessorFacts(Map.of(), io.snapshotter.snapshot.SnapshotFactory.MAX_STATE_BYTES);

    public ProcessorFacts {
        currentFoldVersions = Map.copyOf(currentFoldVersions);
    }

    /** Whether {@code foldVersion} is the one folding {@code aggregateType} now, or the type has none preferred. */
    boolean isCurrent(String aggregateType, int foldVersion) {
        Integer current = currentFoldVersions.get(aggregateType);
        return current == null || current == foldVersion;
    }

    /** Whether the type has a preferred fold version. */
    boolean prefersAVersionOf(String aggregateType) {
        return currentFoldVersions.containsKey(aggregateType);
    }
}
