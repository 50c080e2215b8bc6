package io.snapshotter.topology;

import io.snapshotter.fold.AggregateFold;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The folds on the class path, by aggregate type, found with {@link ServiceLoader}. Also maps each
 * fold's event schemas by full name, so a payload's writer schema selects the class to read it as.
 */
public final class FoldRegistry {

    /** A fold with its accepted event schemas by full name. */
    public record RegisteredFold(AggregateFold<SpecificRecord> fold, Map<String, Schema> eventSchemas) {

        /** The reader schema for a payload written with {@code writerSchema}, or null if not an event of this fold. */
        public Schema readerSchemaFor(Schema writerSchema) {
            return eventSchemas.get(writerSchema.getFullName());
        }
    }

    private final Map<String, RegisteredFold> byType = new HashMap<>();

    public FoldRegistry(Collection<? extends AggregateFold<?>> folds) {
        for (AggregateFold<?> fold : folds) {
            Map<String, Schema> schemas = new HashMap<>();
            for (Class<? extends SpecificRecord> type : fold.eventTypes()) {
                Schema schema = SpecificData.get().getSchema(type);
                schemas.put(schema.getFullName(), schema);
            }
            @SuppressWarnings("unchecked")
            AggregateFold<SpecificRecord> typed = (AggregateFold<SpecificRecord>) fold;
            RegisteredFold previous = byType.put(fold.aggregateType(), new RegisteredFold(typed, Map.copyOf(schemas)));
            if (previous != null) {
                throw new IllegalStateException("Two folds for aggregate type '" + fold.aggregateType() + "': "
                    + previous.fold().getClass().getName() + " and " + fold.getClass().getName());
            }
        }
    }

    /** The folds listed in {@code META-INF/services/io.snapshotter.fold.AggregateFold} on the class path. */
    @SuppressWarnings("rawtypes")
    public static FoldRegistry fromClassPath() {
        return new FoldRegistry(ServiceLoader.load(AggregateFold.class).stream()
            .map(p -> (AggregateFold<?>) p.get()).toList());
    }

    /** The fold of {@code aggregateType}, or null if none is known. */
    public RegisteredFold forType(String aggregateType) {
        return byType.get(aggregateType);
    }

    public Collection<RegisteredFold> all() {
        return byType.values();
    }
}
