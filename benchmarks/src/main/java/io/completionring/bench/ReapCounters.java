package io.completionring.bench;

import io.completionring.CompletionEvent;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

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

    /** One poll of a queue: the event it took, read and counted, or null for an empty poll. */
    void took(Completion e, Blackhole bh) {
        if (e != null) {
            bh.consume(e.userData ^ e.result);
            events++;
        } else {
            emptyPolls++;
        }
    }

    /** One call of the ring that returned n events into {@code got[0..n)}, read and counted; n ≤ 0 is an empty call. */
    void took(CompletionEvent[] got, int n, Blackhole bh) {
        if (n > 0) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += got[i].userData() ^ got[i].result();
            }
            bh.consume(sum);
            events += n;
        } else {
            emptyPolls++;
        }
    }
}
