package io.completionring.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The ring's blocking 1 → 2 hand-off (as in {@link BlockingThroughput}) across batch sizes on both sides: the
 * producer reserves {@code batch} slots with one {@code trySubmit(batch)} and publishes them with one
 * {@code completeAll} (batch 1 is the per-event {@code trySubmit()} + {@code complete()}); reapers call
 * {@code getEvents(1, nr, ...)}. Compare the {@code events} counter with {@code BlockingThroughput.abq_1to2}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Batching {

    public static class RingState extends RingGroupState {
        /** Events per {@code trySubmit(batch)} + {@code completeAll}. */
        @Param({"1", "8", "64"})
        int batch;
        /** The most events a reaper takes per {@code getEvents} call. */
        @Param({"1", "16", "64"})
        int nr;

        @Override
        RingHandoff open() {
            return new RingHandoff(capacity, batch, nr);
        }
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(1)
    public void ring_1to2_produce(RingState s, OfferCounters c) throws InterruptedException {
        s.handoff.produce(c);
    }

    @Benchmark
    @Group("ring_1to2")
    @GroupThreads(2)
    public void ring_1to2_reap(RingState s, ReaperEvents r, ReapCounters c, Blackhole bh) throws InterruptedException {
        s.handoff.reap(r.events, c, bh);
    }
}
