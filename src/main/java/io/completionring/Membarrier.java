package io.completionring;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Linux's {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)}: a memory barrier on every CPU that runs a thread of
 * this process, issued by the calling thread. The heavy half of the asymmetric fence ({@link Fence}).
 *
 * <p>It is reached through the foreign function API (final in JDK 22), looked up reflectively so that the library
 * still compiles for, and runs on, JDK 17, where it is simply {@link #AVAILABLE unavailable}. It is used only when
 * the library's module (the unnamed module, on the class path) has native access enabled ({@code
 * --enable-native-access=io.completionring}, or {@code ALL-UNNAMED}): the restricted methods of the foreign function
 * API are never called otherwise, so nobody who did not opt in sees their warning. It must also register: the
 * kernel supports the command (4.14 and later) and {@code MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED} succeeds.
 */
final class Membarrier {

    /** membarrier(2) commands. */
    private static final long CMD_QUERY = 0;
    private static final long CMD_PRIVATE_EXPEDITED = 1 << 3;
    private static final long CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    /** {@code long syscall(long number, long cmd, long flags, long cpuId)}, or null if unavailable. */
    private static final MethodHandle SYSCALL;
    private static final long SYSCALL_NUMBER;

    /** True if {@link #expedite()} issues the barrier; false on JDK 17, without native access, or off Linux. */
    static final boolean AVAILABLE;

    private static final VarHandle INJECTED_FAILURES;

    /** Calls of {@link #expedite()} still to fail: {@link #failNext(int)}; 0 outside tests. */
    private static int injectedFailures;

    static {
        try {
            INJECTED_FAILURES = MethodHandles.lookup().findStaticVarHandle(Membarrier.class, "injectedFailures",
                    int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        final long number = syscallNumber();
        final MethodHandle syscall = number < 0 || !nativeAccessEnabled() ? null : syscallHandle();
        SYSCALL_NUMBER = number;
        SYSCALL = syscall != null && register(syscall, number) ? syscall : null;
        AVAILABLE = SYSCALL != null;
    }

    private Membarrier() {
    }

    /**
     * Issues the barrier and returns true if the kernel did: then every thread of this process that was running on a
     * CPU during the call has executed a full memory barrier at some point of its instruction stream between the
     * call's start and its return (a thread that was not running passed through the kernel's context switch, which
     * has one). Returns false, and never throws, if the call failed (the kernel can refuse it, with {@code -ENOMEM}
     * for one): the caller must then not rely on the barrier ({@link Fence}). The caller must check {@link #AVAILABLE}
     * first.
     */
    static boolean expedite() {
        if (injectedFailures != 0 && takeInjectedFailure()) {
            return false;
        }
        try {
            return (long) SYSCALL.invokeExact(SYSCALL_NUMBER, CMD_PRIVATE_EXPEDITED, 0L, 0L) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Fault injection, for tests: the next {@code n} calls of {@link #expedite()} fail as a refused system call would.
     * The check costs a barrier one plain read of a static field; no fast path of the ring issues a barrier.
     */
    static void failNext(int n) {
        INJECTED_FAILURES.setVolatile(n);
    }

    private static boolean takeInjectedFailure() {
        for (;;) {
            final int n = (int) INJECTED_FAILURES.getVolatile();
            if (n == 0) {
                return false;
            }
            if (INJECTED_FAILURES.compareAndSet(n, n - 1)) {
                return true;
            }
        }
    }

    /** The syscall number of membarrier on this machine, or -1 if not Linux on x86-64 or AArch64. */
    private static long syscallNumber() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return -1;
        }
        switch (System.getProperty("os.arch", "")) {
            case "amd64":
            case "x86_64":
                return 324;
            case "aarch64":
                return 283;
            default:
                return -1;
        }
    }

    /** Module.isNativeAccessEnabled() of this library's module (JDK 22+); false on older JDKs. */
    private static boolean nativeAccessEnabled() {
        try {
            final Method m = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) m.invoke(Membarrier.class.getModule());
        } catch (ReflectiveOperationException e) {
            return false;                                   // before JDK 22: no foreign function API to use
        }
    }

    /**
     * Links libc's variadic {@code syscall} with four long arguments: {@code
     * Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG x 4),
     * Linker.Option.firstVariadicArg(1))}, written reflectively. Returns null if anything is missing.
     */
    private static MethodHandle syscallHandle() {
        try {
            final Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            final Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            final Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
            final Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            final Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            final Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            final Object javaLong = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_LONG").get(null);

            final Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            final Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
            final Optional<?> symbol = (Optional<?>) lookupClass.getMethod("find", String.class).invoke(lookup, "syscall");
            if (symbol.isEmpty()) {
                return null;
            }
            final Object args = Array.newInstance(layoutClass, 4);
            for (int i = 0; i < 4; i++) {
                Array.set(args, i, javaLong);
            }
            final Object descriptor = descriptorClass.getMethod("of", layoutClass, args.getClass())
                    .invoke(null, javaLong, args);
            final Object options = Array.newInstance(optionClass, 1);
            Array.set(options, 0, optionClass.getMethod("firstVariadicArg", int.class).invoke(null, 1));
            return (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                    options.getClass()).invoke(linker, symbol.get(), descriptor, options);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Queries the kernel for the expedited command and registers the process for it; false if either fails. */
    private static boolean register(MethodHandle syscall, long number) {
        try {
            final long supported = (long) syscall.invokeExact(number, CMD_QUERY, 0L, 0L);
            if (supported < 0 || (supported & (CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED))
                    != (CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED)) {
                return false;
            }
            return (long) syscall.invokeExact(number, CMD_REGISTER_PRIVATE_EXPEDITED, 0L, 0L) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
