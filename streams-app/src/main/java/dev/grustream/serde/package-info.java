/**
 * Avro serdes in Confluent's wire format and a Schema Registry client, compatible with Confluent's on the wire, in
 * their REST calls and in their configuration keys, so that Confluent's own serdes can replace these by
 * configuration alone.
 *
 * <ul>
 *   <li>{@link dev.grustream.serde.SpecificAvroSerde} and {@link dev.grustream.serde.GenericAvroSerde}: the serdes a
 *       topology uses; {@link dev.grustream.serde.AvroSerializer} and {@link dev.grustream.serde.AvroDeserializer}
 *       underneath them (Confluent's {@code KafkaAvroSerializer} / {@code KafkaAvroDeserializer}).</li>
 *   <li>{@link dev.grustream.serde.AvroSerdeConfig}: every configuration key, its default and doc.</li>
 *   <li>{@link dev.grustream.serde.SchemaRegistryClient}: the registry client, REST or in-process.</li>
 *   <li>{@link dev.grustream.serde.MockSchemaRegistry} ({@code mock://<scope>} URLs) and
 *       {@link dev.grustream.serde.InMemorySchemaRegistryServer}: registries for tests and the demo.</li>
 *   <li>Errors: {@link dev.grustream.serde.AvroSerializationException} blames the record, with a reason for the
 *       dead-letter topic; {@link dev.grustream.serde.SchemaRegistryUnavailableException} means "retry later";
 *       {@link dev.grustream.serde.SchemaRegistryException} carries the registry's status and error code.</li>
 * </ul>
 */
package dev.grustream.serde;
