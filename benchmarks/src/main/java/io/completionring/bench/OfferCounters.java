package io.completionring.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread counters of a producing thread: {@code fullOffers} counts attempts that found the structure full (a
 * failed offer or {@code trySubmit}, or a timed wait for space that expired at the end of an iteration).
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class OfferCounters {
    public long fullOffers;

    @Setup(Level.Iteration)
    public void reset() {
        fullOffers = 0;
    }
}
