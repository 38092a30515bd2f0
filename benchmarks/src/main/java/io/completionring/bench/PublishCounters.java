package io.completionring.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counters of a Disruptor producer whose consumers are the Disruptor's own event-processor threads. The consumers
 * are outside JMH, so the hand-off rate is counted where the producer publishes: {@code events} per microsecond. In
 * a bounded ring the producer cannot run more than the capacity ahead of the consumers, so over an iteration this
 * differs from the consumed count by at most the capacity (1024 of millions).
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class PublishCounters {
    public long events;
    public long fullOffers;

    @Setup(Level.Iteration)
    public void reset() {
        events = 0;
        fullOffers = 0;
    }
}
