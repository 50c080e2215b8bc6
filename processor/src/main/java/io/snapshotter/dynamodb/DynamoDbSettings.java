package io.snapshotter.dynamodb;

import io.snapshotter.config.ProcessorConfig;
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

/** The DynamoDB snapshot store's settings, read once from the processor's configuration. */
public record DynamoDbSettings(String table, boolean createTable, Optional<String> kmsKeyId, String region,
                               Optional<URI> endpoint, Optional<AwsBasicCredentials> credentials, int keep,
                               int batchSize, Duration backoff, Duration maxBackoff) {

    public static DynamoDbSettings from(ProcessorConfig config) {
        String endpoint = config.getString(ProcessorConfig.DYNAMODB_ENDPOINT);
        Password keyId = config.getPassword(ProcessorConfig.DYNAMODB_ACCESS_KEY_ID);
        Password secret = config.getPassword(ProcessorConfig.DYNAMODB_SECRET_ACCESS_KEY);
        String kms = config.getString(ProcessorConfig.DYNAMODB_KMS_KEY_ID);
        return new DynamoDbSettings(
            config.getString(ProcessorConfig.DYNAMODB_TABLE),
            config.getBoolean(ProcessorConfig.DYNAMODB_TABLE_CREATE),
            kms.isBlank() ? Optional.empty() : Optional.of(kms),
            config.getString(ProcessorConfig.DYNAMODB_REGION),
            endpoint.isBlank() ? Optional.empty() : Optional.of(URI.create(endpoint)),
            keyId == null || secret == null ? Optional.empty()
                : Optional.of(AwsBasicCredentials.create(keyId.value(), secret.value())),
            config.getInt(ProcessorConfig.DYNAMODB_RETENTION_KEEP),
            config.getInt(ProcessorConfig.DYNAMODB_BATCH_SIZE),
            Duration.ofMillis(config.getLong(ProcessorConfig.DYNAMODB_BACKOFF_MS)),
            Duration.ofMillis(config.getLong(ProcessorConfig.DYNAMODB_BACKOFF_MAX_MS)));
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
