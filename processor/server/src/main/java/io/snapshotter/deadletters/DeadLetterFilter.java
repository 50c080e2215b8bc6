package io.snapshotter.deadletters;

import io.snapshotter.deadletter.DeadLetterReason;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which dead letters a command works on; every criterion given must hold.
 *
 * @param aggregateId the record key, exactly
 * @param reasons     any of these {@code dlq.reason}s; empty for any reason
 * @param since       rejected at or after (inclusive); a dead letter without a readable time never matches
 * @param until       rejected before (exclusive)
 */
public record DeadLetterFilter(Optional<String> aggregateId, Set<DeadLetterReason> reasons, Optional<Instant> since,
                               Optional<Instant> until) implements Predicate<DeadLetter> {

    public static DeadLetterFilter all() {
        return new DeadLetterFilter(Optional.empty(), Set.of(), Optional.empty(), Optional.empty());
    }

    @Override
    public boolean test(DeadLetter letter) {
        if (aggregateId.isPresent() && !aggregateId.get().equals(letter.aggregateId())) {
            return false;
        }
        if (!reasons.isEmpty() && reasons.stream().noneMatch(r -> r.name().equals(letter.reason()))) {
            return false;
        }
        if ((since.isPresent() || until.isPresent()) && letter.rejectedAt() == null) {
            return false;
        }
        return since.map(s -> !letter.rejectedAt().isBefore(s)).orElse(true)
            && until.map(u -> letter.rejectedAt().isBefore(u)).orElse(true);
    }
}
