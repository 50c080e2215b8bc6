package io.snapshotter.query;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answer to "which aggregates (of a type) are there, from this id on?" for some partitions of
 * the aggregates store on this instance: a page in id order, or not answerable right now.
 */
public sealed interface AggregateListing {

    /**
     * The order of aggregateIds in a listing: by Unicode code point, which is the order of their UTF-8
     * bytes, the order the store keeps its keys in. Listings do not rely on the store iterating in it.
     */
    Comparator<String> ID_ORDER = AggregateListing::compareIds;

    /**
     * What to list.
     *
     * @param aggregateType only aggregates of this type (exactly); null: every type
     * @param after         only aggregateIds after this one in {@link #ID_ORDER}; null: from the first
     * @param limit         at most this many
     */
    record Query(String aggregateType, String after, int limit) {
    }

    /** One aggregate of a listing. */
    record Entry(String aggregateId, String aggregateType, long version) {
    }

    /** The first {@code limit} matching aggregates in id order; {@code more}: there are matching ones after them. */
    record Page(List<Entry> aggregates, boolean more) implements AggregateListing {
    }

    /** A partition asked for has no queryable active copy here (a rebalance or restore): try again later. */
    record NotReady(String reason) implements AggregateListing {
    }

    /**
     * Which instance holds the active copy of each partition of the store, every partition exactly once;
     * or why that is not known now.
     */
    sealed interface Placement {
    }

    /** The instances to ask, each for its partitions; together they cover the store. */
    record Placed(Map<Instance, Set<Integer>> partitions) implements Placement {
    }

    /** Some partition has no active copy now, or two instances claim one (a rebalance under way). */
    record NotPlaced(String reason) implements Placement {
    }

    private static int compareIds(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
