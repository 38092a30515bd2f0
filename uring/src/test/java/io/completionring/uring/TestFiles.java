package io.completionring.uring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Files for the tests: a pattern file whose every byte is known from its offset (the little-endian longs {@code
 * UringBench.mix(word)}), FIFOs, and what /proc says about a descriptor.
 */
final class TestFiles {

    private TestFiles() {
    }

    /** Writes size bytes of the pattern: byte i is {@link #expected(long)}. */
    static Path patternFile(Path dir, String name, long size) throws IOException {
        return patternFile(dir, name, size, 0);
    }

    /** Writes size bytes of the pattern from its offset start (a multiple of 8): byte i is expected(start + i). */
    static Path patternFile(Path dir, String name, long size, long start) throws IOException {
        final Path file = dir.resolve(name);
        final ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long word = start / Long.BYTES;
            for (long at = 0; at < size; ) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(UringBench.mix(word++));
                }
                chunk.flip().limit((int) Math.min(chunk.capacity(), size - at));
                while (chunk.hasRemaining()) {
                    at += channel.write(chunk);
                }
            }
        }
        return file;
    }

    /** The pattern's byte at offset i. */
    static byte expected(long i) {
        return (byte) (UringBench.mix(i >>> 3) >>> (8 * (i & 7)));
    }

    /** Checks that buffer[at, at + n) holds the pattern's bytes [position, position + n); throws naming the first
     * wrong byte. */
    static void checkBytes(ByteBuffer buffer, int at, long position, int n) {
        for (int k = 0; k < n; k++) {
            if (buffer.get(at + k) != expected(position + k)) {
                throw new AssertionError("byte " + k + " of a read at " + position + " (buffer index " + (at + k)
                        + ") is " + buffer.get(at + k) + ", the file has " + expected(position + k));
            }
        }
    }

    /** A FIFO made with mkfifo(1). */
    static Path fifo(Path dir, String name) throws IOException, InterruptedException {
        final Path fifo = dir.resolve(name);
        final Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("mkfifo " + fifo + " failed");
        }
        return fifo;
    }

    /** The flags of a descriptor of this process, from /proc/self/fdinfo (octal there). */
    static int descriptorFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new IOException("no flags line in /proc/self/fdinfo/" + fd);
    }

    /** What descriptor fd of this process refers to now, or null if it is not open. */
    static Path descriptorTarget(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
