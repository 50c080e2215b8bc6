package io.snapshotter.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The newest {@code capacity} items added, thread-safe: adding one beyond it drops the oldest. */
final class Ring<T> {

    private final int capacity;
    private final Deque<T> items;

    Ring(int capacity) {
        this.capacity = capacity;
        this.items = new ArrayDeque<>(capacity);
    }

    synchronized void add(T item) {
        if (items.size() == capacity) {
            items.removeLast();
        }
        items.addFirst(item);
    }

    /** A copy, newest first. */
    synchronized List<T> newestFirst() {
        return new ArrayList<>(items);
    }
}
