package io.snapshotter.dynamodb;

/**
 * DynamoDB refuses the table in a way no retry cures: it does not exist, the credentials are refused,
 * or a request on it is invalid. The writer stops its batch and shows itself failing with this message.
 */
public final class TableUnusableException extends RuntimeException {

    TableUnusableException(String message) {
        super(message);
    }

    TableUnusableException(String message, Throwable cause) {
        super(message, cause);
    }
}
