package io.snapshotter.dynamodb;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.SSESpecification;
import software.amazon.awssdk.services.dynamodb.model.SSEType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * The snapshot table: partition key {@code aggregateId} (S), sort key {@code version} (N). Created
 * on request (on-demand billing, optionally encrypted with a named KMS key); otherwise checked at
 * startup, failing fast with a message saying what is wrong.
 */
public final class SnapshotTable {

    static final List<KeySchemaElement> KEY_SCHEMA = List.of(
        KeySchemaElement.builder().attributeName(SnapshotItems.AGGREGATE_ID).keyType(KeyType.HASH).build(),
        KeySchemaElement.builder().attributeName(SnapshotItems.VERSION).keyType(KeyType.RANGE).build());

    private SnapshotTable() {
    }

    /** Creates the table if asked to and missing, then checks its keys. */
    public static void ensure(DynamoDbClient client, DynamoDbSettings settings) {
        TableDescription table;
        try {
            table = client.describeTable(b -> b.tableName(settings.table())).table();
        } catch (ResourceNotFoundException e) {
            if (!settings.createTable()) {
                throw new IllegalStateException("DynamoDB table '" + settings.table() + "' does not exist; create it "
                    + "(partition key aggregateId S, sort key version N) or set dynamodb.table.create=true");
            }
            try {
                create(client, settings);
            } catch (ResourceInUseException created) {
                // another instance, starting at the same time, created it first: wait for it like for ours
            }
            table = client.waiter().waitUntilTableExists(b -> b.tableName(settings.table())).matched().response()
                .orElseThrow().table();
        }
        if (!table.keySchema().equals(KEY_SCHEMA) || !hasKeyTypes(table)) {
            throw new IllegalStateException("DynamoDB table '" + settings.table() + "' has key schema "
                + table.keySchema() + " with attributes " + table.attributeDefinitions()
                + "; the snapshot store needs partition key aggregateId (S) and sort key version (N)");
        }
    }

    private static void create(DynamoDbClient client, DynamoDbSettings settings) {
        CreateTableRequest.Builder request = CreateTableRequest.builder()
            .tableName(settings.table())
            .keySchema(KEY_SCHEMA)
            .attributeDefinitions(
                AttributeDefinition.builder().attributeName(SnapshotItems.AGGREGATE_ID)
                    .attributeType(ScalarAttributeType.S).build(),
                AttributeDefinition.builder().attributeName(SnapshotItems.VERSION)
                    .attributeType(ScalarAttributeType.N).build())
            .billingMode(BillingMode.PAY_PER_REQUEST);
        settings.kmsKeyId().ifPresent(key -> request.sseSpecification(
            SSESpecification.builder().enabled(true).sseType(SSEType.KMS).kmsMasterKeyId(key).build()));
        client.createTable(request.build());
    }

    private static boolean hasKeyTypes(TableDescription table) {
        return table.attributeDefinitions().stream().anyMatch(a -> a.attributeName().equals(SnapshotItems.AGGREGATE_ID)
                && a.attributeType() == ScalarAttributeType.S)
            && table.attributeDefinitions().stream().anyMatch(a -> a.attributeName().equals(SnapshotItems.VERSION)
                && a.attributeType() == ScalarAttributeType.N);
    }
}
