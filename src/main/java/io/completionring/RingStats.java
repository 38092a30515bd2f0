package io.completionring;

/**
 * A snapshot of a ring's counters, taken by {@link CompletionRing#stats()} without a lock. {@code submitted}, {@code
 * completed} and {@code reaped} are values the ring held at one instant (or, if its counters kept moving through many
 * readings, the last reading clamped), so {@code reaped <= completed <= submitted <= reaped + capacity} always holds;
 * the slow-path counts are read separately and need not match them to the event.
 *
 * @param submitted slots reserved by {@code trySubmit}/{@code submit} since the ring was created
 * @param completed events published by {@code complete}/{@code completeAll}
 * @param reaped    events taken by {@code getEvents}/{@code pollEvents}
 * @param parks     times a reaper or submitter parked its thread
 * @param unparks   times a waiter was chosen and unparked (by the producer, a reaper, or {@code close})
 * @param timeouts  {@code getEvents} and {@code submit} calls that returned because their timeout expired
 * @param waiters   reapers and submitters parked or about to park right now
 */
public record RingStats(long submitted, long completed, long reaped,
                        long parks, long unparks, long timeouts, int waiters) {
}
