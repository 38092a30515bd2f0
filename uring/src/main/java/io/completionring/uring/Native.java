package io.completionring.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The native bindings of this module: downcall handles to libc's {@code syscall} (for {@code io_uring_setup},
 * {@code io_uring_enter} and {@code io_uring_register}, which glibc does not wrap), {@code mmap}, {@code munmap},
 * {@code open}, {@code close}, {@code statx}, {@code eventfd} and {@code write}, with {@code errno} captured by the
 * linker ({@code captureCallState("errno")}, since the JVM may itself call into libc between the call and a later
 * read of errno), and the errno names used in messages.
 *
 * <p>Creating a downcall handle and giving a raw address a size ({@code reinterpret}) are restricted methods. This
 * class runs them in its static initialiser, and only {@link Support} decides whether it may be initialised: after
 * {@code Module.isNativeAccessEnabled()} said yes. Every other class reaches it only on paths that {@code Support}
 * has opened (a {@link UringReader} exists), so a program that did not enable native access never runs a restricted
 * method and never sees the JVM's warning.
 *
 * <p>Calls that fail return -1 and leave the errno in the caller's capture segment ({@link #newErrnoSegment}); the
 * driver keeps one for its thread, the rare calls of other threads allocate one in a confined arena.
 */
final class Native {

    private Native() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** long syscall(long number, ...): six variadic long arguments; the kernel ignores those it does not take. */
    private static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset). */
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE_ERRNO);
    /** int munmap(void *addr, size_t length). */
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    /** int open(const char *pathname, int flags, ... mode): variadic after flags. */
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /** int close(int fd). */
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf). */
    private static final MethodHandle STATX = downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    /** int eventfd(unsigned int initval, int flags). */
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** ssize_t write(int fd, const void *buf, size_t count): only to add 1 to an eventfd, which cannot fail. */
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    @SuppressWarnings("restricted")                         // reached only after Support's native-access check
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        final MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A segment for {@code errno}, to pass as the first argument of the calls below. */
    static MemorySegment newErrnoSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno that the last failed call with this capture segment left. */
    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Gives a raw address (from mmap) a size, so that it can be read and written. */
    @SuppressWarnings("restricted")                         // reached only after Support's native-access check
    static MemorySegment sized(MemorySegment address, long size) {
        return address.reinterpret(size);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // System calls. Each returns what the kernel returned: >= 0, or -1 with the errno in capture.

    static long ioUringSetup(MemorySegment capture, int entries, MemorySegment params) {
        return syscall(capture, Uapi.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
    }

    static long ioUringEnter(MemorySegment capture, int fd, int toSubmit, int minComplete, int flags, long arg,
                             long argSize) {
        return syscall(capture, Uapi.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg, argSize);
    }

    static long ioUringRegister(MemorySegment capture, int fd, int opcode, MemorySegment arg, int nrArgs) {
        return syscall(capture, Uapi.SYS_IO_URING_REGISTER, fd, opcode, arg.address(), nrArgs, 0, 0);
    }

    private static long syscall(MemorySegment capture, long number, long a1, long a2, long a3, long a4, long a5,
                                long a6) {
        try {
            return (long) SYSCALL.invokeExact(capture, number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset), sized; null on failure. */
    static MemorySegment mmapShared(MemorySegment capture, int fd, long length, long offset) {
        final MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length,
                    Uapi.PROT_READ | Uapi.PROT_WRITE, Uapi.MAP_SHARED | Uapi.MAP_POPULATE, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return address.address() == -1L ? null : sized(address, length);   // MAP_FAILED is (void *) -1
    }

    static int munmap(MemorySegment capture, MemorySegment mapping) {
        try {
            return (int) MUNMAP.invokeExact(capture, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int open(MemorySegment capture, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(capture, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(MemorySegment capture, int fd) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** statx(fd, "", AT_EMPTY_PATH, mask, buffer): the file the descriptor refers to. */
    static int fstatx(MemorySegment capture, int fd, int mask, MemorySegment buffer, MemorySegment emptyPath) {
        try {
            return (int) STATX.invokeExact(capture, fd, emptyPath, Uapi.AT_EMPTY_PATH, mask, buffer);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(MemorySegment capture, int flags) {
        try {
            return (int) EVENTFD.invokeExact(capture, 0, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(fd, buffer, 8): adds the 8-byte counter in buffer to an eventfd; returns 8. */
    static long write8(int fd, MemorySegment buffer) {
        try {
            return (long) WRITE.invokeExact(fd, buffer, 8L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Messages.

    /** The IOException of a failed call: "open(/data/x) failed: ENOENT (2)". */
    static IOException ioException(String call, int errno) {
        return new IOException(call + " failed: " + errnoName(errno));
    }

    /** "ENOENT (2)": the symbolic name of an errno, as in errno(3), and its value. */
    static String errnoName(int errno) {
        final String name = switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 19 -> "ENODEV";
            case 20 -> "ENOTDIR";
            case 21 -> "EISDIR";
            case 22 -> "EINVAL";
            case 23 -> "ENFILE";
            case 24 -> "EMFILE";
            case 27 -> "EFBIG";
            case 28 -> "ENOSPC";
            case 29 -> "ESPIPE";
            case 30 -> "EROFS";
            case 36 -> "ENAMETOOLONG";
            case 38 -> "ENOSYS";
            case 40 -> "ELOOP";
            case 62 -> "ETIME";
            case 75 -> "EOVERFLOW";
            case 95 -> "EOPNOTSUPP";
            case 125 -> "ECANCELED";
            default -> "errno";
        };
        return name + " (" + errno + ")";
    }
}
