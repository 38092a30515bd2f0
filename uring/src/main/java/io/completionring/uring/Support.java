package io.completionring.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Whether this JVM can run a {@link UringReader}, checked once: Linux on x86-64 or arm64, native access enabled for
 * this module, and an {@code io_uring_setup} that the kernel allows, with {@code IORING_OP_READ} and {@code
 * IORING_OP_ASYNC_CANCEL} in its probe. (JDK 22 is checked by the class files themselves: they are version 66, so
 * an older JVM cannot load this class.)
 *
 * <p>{@link Native} is touched only after {@code Module.isNativeAccessEnabled()} returned true: its initialiser runs
 * restricted methods, and a program that did not opt in must not see the JVM's warning about them.
 */
final class Support {

    private Support() {
    }

    /** The empty string when supported, else one sentence naming the failed check and the fix. */
    static String reason() {
        return Holder.REASON;
    }

    /** The flag that enables native access for this module where it runs: named module, or the class path. */
    static String nativeAccessFlag() {
        final Module module = Support.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    private static final class Holder {
        static final String REASON = check();
    }

    private static String check() {
        final String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "io_uring is a Linux interface and this is " + os + ": use AsynchronousFileChannel instead.";
        }
        final String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "this module knows the io_uring system call ABI of x86-64 and arm64, not of " + arch
                    + ": use AsynchronousFileChannel instead.";
        }
        final Module module = Support.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            return "native access is not enabled for " + (module.isNamed() ? "module " + module.getName()
                    : "the class path (the unnamed module)") + ": start java with " + nativeAccessFlag() + ".";
        }
        return probe();
    }

    /** io_uring_setup of a one-entry ring, then IORING_REGISTER_PROBE on it; "" if both succeed. */
    private static String probe() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment errno = Native.newErrnoSegment(arena);
            final MemorySegment params = arena.allocate(Uapi.PARAMS);
            final long fd = Native.ioUringSetup(errno, 1, params);
            if (fd < 0) {
                return setupFailure(Native.errno(errno));
            }
            try {
                final MemorySegment probe = arena.allocate(Uapi.PROBE.byteSize()
                        + Uapi.PROBE_OPS * Uapi.PROBE_OP.byteSize());
                if (Native.ioUringRegister(errno, (int) fd, Uapi.IORING_REGISTER_PROBE, probe, Uapi.PROBE_OPS) < 0) {
                    return "IORING_REGISTER_PROBE failed with " + Native.errnoName(Native.errno(errno))
                            + ", so this kernel's io_uring predates Linux 5.6 (no IORING_OP_READ): use Linux 5.6 or"
                            + " newer, or AsynchronousFileChannel.";
                }
                for (byte op : new byte[] {Uapi.IORING_OP_READ, Uapi.IORING_OP_ASYNC_CANCEL}) {
                    if (!supported(probe, op)) {
                        return "this kernel's io_uring does not support opcode " + op
                                + " (IORING_OP_READ is 22, IORING_OP_ASYNC_CANCEL 14): use Linux 5.6 or newer.";
                    }
                }
                return "";
            } finally {
                Native.close(errno, (int) fd);
            }
        }
    }

    private static boolean supported(MemorySegment probe, byte op) {
        final int opsLen = Byte.toUnsignedInt(probe.get(JAVA_BYTE,
                Uapi.offset(Uapi.PROBE, "ops_len")));
        if (op >= opsLen) {
            return false;
        }
        final long entry = Uapi.PROBE.byteSize() + op * Uapi.PROBE_OP.byteSize();
        final short flags = probe.get(JAVA_SHORT,
                entry + Uapi.offset(Uapi.PROBE_OP, "flags"));
        return (flags & Uapi.IO_URING_OP_SUPPORTED) != 0;
    }

    /** The sentence for an io_uring_setup that failed with errno. */
    static String setupFailure(int errno) {
        final String failed = "io_uring_setup failed with " + Native.errnoName(errno);
        return switch (errno) {
            case Uapi.EPERM -> failed + ": io_uring is disabled for this process by the sysctl"
                    + " kernel.io_uring_disabled (2 disables it for all, 1 for users outside kernel.io_uring_group);"
                    + " set it to 0 or add the user to that group.";
            case Uapi.ENOSYS -> failed + ": the kernel was built without io_uring (Linux 5.6 or newer is needed), or"
                    + " a seccomp filter blocks it, as container runtimes' default profiles do; run with a profile"
                    + " that allows io_uring_setup, io_uring_enter and io_uring_register.";
            case Uapi.ENOMEM -> failed + ": kernels before 5.12 charge the rings to the locked-memory limit;"
                    + " raise it (ulimit -l, or LimitMEMLOCK in a systemd unit).";
            default -> failed + ": use AsynchronousFileChannel instead.";
        };
    }
}
