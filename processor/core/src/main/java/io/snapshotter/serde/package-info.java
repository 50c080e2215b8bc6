/**
 * Avro records in the Confluent wire format (magic byte, schema id, Avro binary): the {@link AvroWireCodec},
 * a Kafka serde for specific records, and the {@link EventEncoder} that wraps domain events in their
 * envelope.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.serde;
