package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Padded {@code long[]} arrays and their accesses, named after the {@link VarHandle} access mode. An array from {@link
 * #newArray} has {@link #PAD} unused longs at either end, so that no other object shares the cache lines of its first
 * and last elements; element i of the payload lives at index {@code PAD + i}. The ring keeps its hot counters in one
 * (each at the head of two lines of its own: {@link CompletionRing}), and its slots, a multi-producer ring's marks,
 * the wait policy's activity word and the batching pause's words in others.
 *
 * <p>The arrays are used directly, not through an object, so that a hot access costs no load more than a field's: the
 * array reference is a final field of its owner, the index a constant or a masked sequence.
 */
final class PaddedLongs {

    /** Longs of padding: 128 bytes, two cache lines, so that adjacent-line prefetch does not couple neighbours. */
    static final int PAD = 16;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private PaddedLongs() {
    }

    /** A padded array for {@code length} longs, at indices {@code PAD .. PAD + length - 1}. */
    static long[] newArray(int length) {
        return new long[length + 2 * PAD];
    }

    static long getOpaque(long[] a, int i) {
        return (long) LONGS.getOpaque(a, i);
    }

    static void setOpaque(long[] a, int i, long value) {
        LONGS.setOpaque(a, i, value);
    }

    static long getAcquire(long[] a, int i) {
        return (long) LONGS.getAcquire(a, i);
    }

    static void setRelease(long[] a, int i, long value) {
        LONGS.setRelease(a, i, value);
    }

    static long getVolatile(long[] a, int i) {
        return (long) LONGS.getVolatile(a, i);
    }

    static void setVolatile(long[] a, int i, long value) {
        LONGS.setVolatile(a, i, value);
    }

    static boolean compareAndSet(long[] a, int i, long expected, long value) {
        return LONGS.compareAndSet(a, i, expected, value);
    }

    static long getAndAdd(long[] a, int i, long delta) {
        return (long) LONGS.getAndAdd(a, i, delta);
    }

    static long getAndBitwiseOr(long[] a, int i, long bits) {
        return (long) LONGS.getAndBitwiseOr(a, i, bits);
    }
}
