/**
 * Real single-node KRaft Kafka clusters for tests, benchmarks and the embedded mode: {@link EmbeddedKafka}
 * inside this JVM, {@link KafkaBrokerProcess} as a separate OS process that can be killed and restarted;
 * moto's DynamoDB-compatible server as a child process ({@link DynamoDbServer}) and a {@link FaultProxy}
 * to put in front of a dependency.
 *
 * <p>Public API (stable within 0.x: additions only; nothing is removed or changed incompatibly without a
 * deprecation in an earlier 0.x release).
 */
package io.snapshotter.testkit;
