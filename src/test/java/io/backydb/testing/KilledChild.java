package io.backydb.testing;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.ListeningConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.ClassPrepareRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child JVM killed with SIGKILL at an exact moment: the moment a process killed outright (the OOM
 * killer, {@code kill -9}, a power cut of the JVM alone) leaves files behind is a few microseconds
 * wide, too narrow to hit by timing. The child runs {@code BackyCli} under the JDK's debugger
 * interface (JDI), which stops it on entry to a JDK method (say {@code Files.move}); where {@code
 * when} holds at such a stop (the test looks at the files), the still-stopped child is killed with
 * SIGKILL ({@link Process#destroyForcibly}), so it runs no line after that call's entry.
 */
public final class KilledChild {

  private KilledChild() {}

  /**
   * Runs {@code backy ARGS} in a child JVM (this test's class path, {@code env} added to its
   * environment, its output to {@code log}) and kills it at the first entry into {@code
   * declaringClass.method} (any overload) at which {@code when} holds. Fails where the child ends,
   * or three minutes pass, without such a moment.
   */
  public static void killAt(
      String declaringClass,
      String method,
      BooleanSupplier when,
      Map<String, String> env,
      Path log,
      String... args)
      throws Exception {
    ListeningConnector listen =
        Bootstrap.virtualMachineManager().listeningConnectors().stream()
            .filter(c -> c.name().equals("com.sun.jdi.SocketListen"))
            .findFirst()
            .orElseThrow();
    Map<String, Connector.Argument> a = listen.defaultArguments();
    a.get("localAddress").setValue("127.0.0.1");
    a.get("port").setValue("0");
    String address = listen.startListening(a);
    Process child = null;
    try {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-agentlib:jdwp=transport=dt_socket,server=n,suspend=y,address=" + address,
                  "-Xmx128m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "io.backydb.cli.BackyCli"));
      command.addAll(List.of(args));
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      child = pb.start();
      VirtualMachine vm = listen.accept(a);
      List<ReferenceType> loaded = vm.classesByName(declaringClass);
      if (loaded.isEmpty()) {
        ClassPrepareRequest r = vm.eventRequestManager().createClassPrepareRequest();
        r.addClassFilter(declaringClass);
        r.enable();
      } else {
        stopAt(vm, loaded.get(0), method);
      }
      vm.resume();
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      while (true) {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        EventSet events = left > 0 ? vm.eventQueue().remove(left) : null;
        if (events == null) {
          throw new AssertionError(
              "no stop in " + declaringClass + "." + method + " at which to kill");
        }
        for (Event e : events) {
          if (e instanceof ClassPrepareEvent prepared) {
            stopAt(vm, prepared.referenceType(), method);
          } else if (e instanceof BreakpointEvent && when.getAsBoolean()) {
            child.destroyForcibly(); // SIGKILL, while the child is stopped at that call
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
              throw new AssertionError("the child did not die of SIGKILL");
            }
            return;
          } else if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
            throw new AssertionError(
                "the child ended before the moment to kill it came; its output is in " + log);
          }
        }
        events.resume();
      }
    } finally {
      listen.stopListening(a);
      if (child != null) {
        child.destroyForcibly().waitFor();
      }
    }
  }

  private static void stopAt(VirtualMachine vm, ReferenceType type, String method) {
    for (Method m : type.methodsByName(method)) {
      if (m.location() != null) {
        vm.eventRequestManager().createBreakpointRequest(m.location()).enable();
      }
    }
  }
}
