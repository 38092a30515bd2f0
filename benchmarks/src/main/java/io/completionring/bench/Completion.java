package io.completionring.bench;

/**
 * The payload the reference-queue contenders (ArrayBlockingQueue, LinkedTransferQueue, SynchronousQueue, JCTools)
 * move: the same two longs that {@code CompletionRing.complete(userData, result)} copies into its slot and the
 * Disruptor's pre-allocated event holds. A queue of references cannot carry two longs without an object, so the
 * multi-threaded benchmarks allocate one per event, as their users do; single-threaded and ping-pong benchmarks,
 * where reuse is safe, reuse one.
 */
public final class Completion {
    public long userData;
    public long result;

    public Completion(long userData, long result) {
        this.userData = userData;
        this.result = result;
    }
}
