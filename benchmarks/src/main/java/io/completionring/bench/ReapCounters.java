package io.completionring.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread counters of a consuming thread, summed by JMH over the threads of a group and reported per microsecond.
 * {@code events} is the hand-off rate every throughput chart compares: events actually taken, whatever the size of
 * the batches they were taken in. {@code emptyPolls} counts calls that returned nothing (a failed poll, or a timed
 * wait that expired at the end of an iteration).
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class ReapCounters {
    public long events;
    public long emptyPolls;

    @Setup(Level.Iteration)
    public void reset() {
        events = 0;
        emptyPolls = 0;
    }
}
