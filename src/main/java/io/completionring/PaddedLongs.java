package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@code long[]} with {@link #PAD} unused longs at either end, so that no other object shares the cache lines of its
 * first and last elements, and accessors named after their {@link VarHandle} access mode. The ring keeps its hot
 * counters in one (each counter at the head of two lines of its own: {@link CompletionRing}), a multi-producer ring its
 * publication marks in another.
 */
final class PaddedLongs {

    /** Longs of padding: 128 bytes, two cache lines, so that adjacent-line prefetch does not couple neighbours. */
    static final int PAD = 16;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Element i at PAD + i. */
    private final long[] words;

    PaddedLongs(int length) {
        this.words = new long[length + 2 * PAD];
    }

    long getPlain(int i) {
        return words[PAD + i];
    }

    void setPlain(int i, long value) {
        words[PAD + i] = value;
    }

    long getOpaque(int i) {
        return (long) LONGS.getOpaque(words, PAD + i);
    }

    void setOpaque(int i, long value) {
        LONGS.setOpaque(words, PAD + i, value);
    }

    long getAcquire(int i) {
        return (long) LONGS.getAcquire(words, PAD + i);
    }

    void setRelease(int i, long value) {
        LONGS.setRelease(words, PAD + i, value);
    }

    long getVolatile(int i) {
        return (long) LONGS.getVolatile(words, PAD + i);
    }

    void setVolatile(int i, long value) {
        LONGS.setVolatile(words, PAD + i, value);
    }

    boolean compareAndSet(int i, long expected, long value) {
        return LONGS.compareAndSet(words, PAD + i, expected, value);
    }

    long getAndAdd(int i, long delta) {
        return (long) LONGS.getAndAdd(words, PAD + i, delta);
    }

    long getAndBitwiseOr(int i, long bits) {
        return (long) LONGS.getAndBitwiseOr(words, PAD + i, bits);
    }
}
