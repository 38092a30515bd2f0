package io.completionring.stress.controls;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Linux's {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)} for the controls: a full memory barrier on every CPU
 * that runs a thread of this process, issued by the caller. The controls' own copy, written apart from the library's
 * {@code io.completionring.Membarrier} so that the asymmetric copy of the protocol ({@link SeedLostWakeupAsymmetric})
 * does not rest on the code it stands beside. Reached through the foreign function API (final in JDK 22) by
 * reflection, because this project compiles for JDK 17; it needs native access ({@code
 * --enable-native-access=ALL-UNNAMED}, which {@code ProveIt} gives the test JVMs of its asymmetric checks). Where it
 * cannot be used, {@link #require()} throws, so a test that relies on it errors instead of testing something else.
 */
final class Membarrier {

    /** membarrier(2) commands. */
    private static final long CMD_QUERY = 0;
    private static final long CMD_PRIVATE_EXPEDITED = 1 << 3;
    private static final long CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    /** {@code long syscall(long number, long cmd, long flags, long cpuId)}, or null if unavailable. */
    private static final MethodHandle SYSCALL;
    private static final long NUMBER;
    /** Why membarrier cannot be used here, or null. */
    private static final String UNAVAILABLE;

    static {
        MethodHandle syscall = null;
        String unavailable = null;
        final long number = number();
        try {
            if (number < 0) {
                unavailable = "membarrier is used on Linux x86-64 and AArch64 only; this is "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch");
            } else if (!nativeAccessEnabled()) {
                unavailable = "native access is not enabled (JDK 22+ and --enable-native-access=ALL-UNNAMED needed; "
                        + "this is " + Runtime.version() + ")";
            } else {
                syscall = link();
                final long supported = (long) syscall.invokeExact(number, CMD_QUERY, 0L, 0L);
                final long needed = CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED;
                if (supported < 0 || (supported & needed) != needed) {
                    unavailable = "the kernel does not offer MEMBARRIER_CMD_PRIVATE_EXPEDITED (query: " + supported + ")";
                } else if ((long) syscall.invokeExact(number, CMD_REGISTER_PRIVATE_EXPEDITED, 0L, 0L) != 0) {
                    unavailable = "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED failed";
                }
            }
        } catch (Throwable e) {
            unavailable = "membarrier could not be linked: " + e;
        }
        NUMBER = number;
        SYSCALL = unavailable == null ? syscall : null;
        UNAVAILABLE = unavailable;
    }

    private Membarrier() {
    }

    /** Throws unless {@link #expedite()} issues the barrier in this JVM. */
    static void require() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
    }

    /** Issues the barrier; call {@link #require()} first. */
    static void expedite() {
        final long r;
        try {
            r = (long) SYSCALL.invokeExact(NUMBER, CMD_PRIVATE_EXPEDITED, 0L, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed", e);
        }
        if (r != 0) {
            throw new IllegalStateException("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) returned " + r);
        }
    }

    /** The syscall number of membarrier, or -1 if not Linux on x86-64 or AArch64. */
    private static long number() {
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

    /** Module.isNativeAccessEnabled() of this class's module (JDK 22+); false before. */
    private static boolean nativeAccessEnabled() {
        try {
            final Method m = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) m.invoke(Membarrier.class.getModule());
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /**
     * {@code Linker.nativeLinker().downcallHandle(syscall, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG x 4),
     * Linker.Option.firstVariadicArg(1))}, written reflectively.
     */
    private static MethodHandle link() throws ReflectiveOperationException {
        final Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        final Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        final Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        final Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        final Object javaLong = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_LONG").get(null);
        final Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        final Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
        final Optional<?> symbol = (Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                .getMethod("find", String.class).invoke(lookup, "syscall");
        final Object args = Array.newInstance(layoutClass, 4);
        for (int i = 0; i < 4; i++) {
            Array.set(args, i, javaLong);
        }
        final Object descriptor = descriptorClass.getMethod("of", layoutClass, args.getClass())
                .invoke(null, javaLong, args);
        final Object options = Array.newInstance(optionClass, 1);
        Array.set(options, 0, optionClass.getMethod("firstVariadicArg", int.class).invoke(null, 1));
        return (MethodHandle) linkerClass.getMethod("downcallHandle", Class.forName("java.lang.foreign.MemorySegment"),
                descriptorClass, options.getClass()).invoke(linker, symbol.orElseThrow(), descriptor, options);
    }
}
