package io.snapshotter.console;

import io.snapshotter.query.Instance;
import java.util.List;

/**
 * Which instance of the application holds which partitions, and this instance's tasks with their
 * lag, as Kafka Streams knows them here; a seam for tests.
 */
public interface Assignments {

    record Partition(String topic, int partition) {
    }

    /** An instance of the application and the input partitions of its active and standby tasks. */
    record Member(Instance instance, List<Partition> active, List<Partition> standby) {
    }

    /**
     * One of this instance's tasks.
     *
     * @param inputs   its input partitions
     * @param storeLag for a standby task, the changelog records its store is behind; null for an active
     *                 task, or when not known
     */
    record Task(String id, boolean active, List<Input> inputs, Long storeLag) {
    }

    /** An input partition of a task; {@code lag} its records not yet committed as processed, null when not known yet. */
    record Input(Partition partition, Long lag) {
    }

    /** This instance's Kafka Streams state, e.g. {@code RUNNING}. */
    String state();

    /** Every instance of the application, this one included, by address; none while Kafka Streams does not run. */
    List<Member> members();

    /** This instance's tasks, by id, the active one of an id first. */
    List<Task> localTasks();
}
