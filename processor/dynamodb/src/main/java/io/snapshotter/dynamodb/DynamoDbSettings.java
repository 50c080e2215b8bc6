package io.snapshotter.dynamodb;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The DynamoDB snapshot store's settings, from the {@code dynamodb.*} keys defined by {@link #CONFIG_DEF}. */
public record DynamoDbSettings(String table, boolean createTable, Optional<String> kmsKeyId, String region,
                               Optional<URI> endpoint, Optional<AwsBasicCredentials> credentials, int keep,
                               int batchSize, Duration backoff, Duration maxBackoff, int sweepItemsPerSecond,
                               int retentionCacheAggregates, int writerConcurrency) {

    /** Settings with the default retention sweep rate and cache. */
    public DynamoDbSettings(String table, boolean createTable, Optional<String> kmsKeyId, String region,
                            Optional<URI> endpoint, Optional<AwsBasicCredentials> credentials, int keep, int batchSize,
                            Duration backoff, Duration maxBackoff) {
        this(table, createTable, kmsKeyId, region, endpoint, credentials, keep, batchSize, backoff, maxBackoff,
            DEFAULT_SWEEP_ITEMS_PER_SECOND);
    }

    /** Settings with the default retention cache. */
    public DynamoDbSettings(String table, boolean createTable, Optional<String> kmsKeyId, String region,
                            Optional<URI> endpoint, Optional<AwsBasicCredentials> credentials, int keep, int batchSize,
                            Duration backoff, Duration maxBackoff, int sweepItemsPerSecond) {
        this(table, createTable, kmsKeyId, region, endpoint, credentials, keep, batchSize, backoff, maxBackoff,
            sweepItemsPerSecond, DEFAULT_RETENTION_CACHE_AGGREGATES);
    }

    /** Settings with the default writer concurrency. */
    public DynamoDbSettings(String table, boolean createTable, Optional<String> kmsKeyId, String region,
                            Optional<URI> endpoint, Optional<AwsBasicCredentials> credentials, int keep, int batchSize,
                            Duration backoff, Duration maxBackoff, int sweepItemsPerSecond, int retentionCacheAggregates) {
        this(table, createTable, kmsKeyId, region, endpoint, credentials, keep, batchSize, backoff, maxBackoff,
            sweepItemsPerSecond, retentionCacheAggregates, DEFAULT_WRITER_CONCURRENCY);
    }

    public static final String ENABLED = "dynamodb.enabled";
    public static final String TABLE = "dynamodb.table";
    public static final String TABLE_CREATE = "dynamodb.table.create";
    public static final String KMS_KEY_ID = "dynamodb.table.kms.key.id";
    public static final String REGION = "dynamodb.region";
    public static final String ENDPOINT = "dynamodb.endpoint";
    public static final String ACCESS_KEY_ID = "dynamodb.access.key.id";
    public static final String SECRET_ACCESS_KEY = "dynamodb.secret.access.key";
    public static final String RETENTION_KEEP = "dynamodb.retention.keep";
    public static final String BATCH_SIZE = "dynamodb.batch.size";
    public static final String BACKOFF_MS = "dynamodb.retry.backoff.ms";
    public static final String BACKOFF_MAX_MS = "dynamodb.retry.backoff.max.ms";
    public static final String SWEEP_ITEMS_PER_SECOND = "dynamodb.retention.sweep.items.per.second";
    static final int DEFAULT_SWEEP_ITEMS_PER_SECOND = 500;
    public static final String RETENTION_CACHE_AGGREGATES = "dynamodb.retention.cache.aggregates";
    static final int DEFAULT_RETENTION_CACHE_AGGREGATES = 50_000;
    public static final String WRITER_CONCURRENCY = "dynamodb.writer.concurrency";
    static final int DEFAULT_WRITER_CONCURRENCY = 4;

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(ENABLED, Type.BOOLEAN, false, Importance.HIGH,
            "Write every snapshot to the DynamoDB table too (a writer consuming the snapshot topic).")
        .define(TABLE, Type.STRING, "inventory_snapshots", new ConfigDef.NonEmptyString(), Importance.HIGH,
            "The snapshot table: partition key aggregateId (S), sort key version (N).")
        .define(TABLE_CREATE, Type.BOOLEAN, false, Importance.MEDIUM,
            "Create the table (on-demand billing) when missing; otherwise it must exist with the right keys.")
        .define(KMS_KEY_ID, Type.STRING, "", Importance.LOW,
            "When creating the table: server-side encryption with this KMS key (id, ARN or alias).")
        .define(REGION, Type.STRING, "us-east-1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "AWS region of the table.")
        .define(ENDPOINT, Type.STRING, "", Importance.LOW,
            "Endpoint override, e.g. http://localhost:8000 for a local DynamoDB-compatible server; empty for AWS.")
        .define(ACCESS_KEY_ID, Type.PASSWORD, null, Importance.LOW,
            "Static credentials; without them the AWS default credentials chain is used.")
        .define(SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.LOW,
            "Static credentials, with dynamodb.access.key.id.")
        .define(RETENTION_KEEP, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            "Snapshots kept per aggregate: older ones are deleted as new ones are written.")
        .define(BATCH_SIZE, Type.INT, 25, ConfigDef.Range.between(1, 25), Importance.LOW,
            "Items per BatchWriteItem request (DynamoDB allows 25).")
        .define(WRITER_CONCURRENCY, Type.INT, DEFAULT_WRITER_CONCURRENCY, ConfigDef.Range.between(1, 50), Importance.LOW,
            "DynamoDB calls the writer has in flight at most: a batch's snapshots are split by aggregate into "
                + "this many groups, written side by side, each aggregate's in order in one group.")
        .define(BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "First delay before retrying a failed or partly processed write, doubled each time, with jitter.")
        .define(BACKOFF_MAX_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            "The longest delay between write retries; the writer retries until DynamoDB takes the items.")
        .define(SWEEP_ITEMS_PER_SECOND, Type.INT, DEFAULT_SWEEP_ITEMS_PER_SECOND, ConfigDef.Range.atLeast(1),
            Importance.LOW, "Items the retention sweep reads per second at most, so it leaves the table's "
                + "capacity to the writer and the readers.")
        .define(RETENTION_CACHE_AGGREGATES, Type.INT, DEFAULT_RETENTION_CACHE_AGGREGATES, ConfigDef.Range.atLeast(0),
            Importance.LOW, "Aggregates whose snapshot versions the writer remembers (about 300 bytes each, with "
                + "dynamodb.retention.keep 3), so that retention after a write costs a delete, not a query as "
                + "well; 0 queries every time.");

    /** These settings with {@code writerConcurrency} calls in flight at most. */
    public DynamoDbSettings withWriterConcurrency(int concurrency) {
        return new DynamoDbSettings(table, createTable, kmsKeyId, region, endpoint, credentials, keep, batchSize, backoff,
            maxBackoff, sweepItemsPerSecond, retentionCacheAggregates, concurrency);
    }

    /** @param values every configuration value (keys of other components are ignored here) */
    public static DynamoDbSettings from(Map<String, ?> values) {
        AbstractConfig config = new AbstractConfig(CONFIG_DEF, values, false);
        String endpoint = config.getString(ENDPOINT);
        Password keyId = config.getPassword(ACCESS_KEY_ID);
        Password secret = config.getPassword(SECRET_ACCESS_KEY);
        String kms = config.getString(KMS_KEY_ID);
        return new DynamoDbSettings(
            config.getString(TABLE),
            config.getBoolean(TABLE_CREATE),
            kms.isBlank() ? Optional.empty() : Optional.of(kms),
            config.getString(REGION),
            endpoint.isBlank() ? Optional.empty() : Optional.of(URI.create(endpoint)),
            keyId == null || secret == null ? Optional.empty()
                : Optional.of(AwsBasicCredentials.create(keyId.value(), secret.value())),
            config.getInt(RETENTION_KEEP),
            config.getInt(BATCH_SIZE),
            Duration.ofMillis(config.getLong(BACKOFF_MS)),
            Duration.ofMillis(config.getLong(BACKOFF_MAX_MS)),
            config.getInt(SWEEP_ITEMS_PER_SECOND),
            config.getInt(RETENTION_CACHE_AGGREGATES),
            config.getInt(WRITER_CONCURRENCY));
    }

    /** A client for these settings: the endpoint override and static credentials when given. */
    public DynamoDbClient newClient() {
        DynamoDbClientBuilder builder = DynamoDbClient.builder().region(Region.of(region));
        endpoint.ifPresent(builder::endpointOverride);
        AwsCredentialsProvider provider = credentials.isPresent()
            ? StaticCredentialsProvider.create(credentials.get())
            : DefaultCredentialsProvider.builder().build();
        return builder.credentialsProvider(provider).build();
    }
}
