package dev.kafkadedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kafkadedup.embedded.EmbeddedKafkaBroker;
import dev.kafkadedup.process.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kills, stops, rescales and starves the packaged service while traffic flows, then checks the
 * output against the input, the way Kafka's own exactly-once system tests do. Instances are
 * separate OS processes ({@code java -jar kafka-dedup.jar run}) of one application id with static
 * membership; the broker is a child process restarted on its log dirs.
 *
 * <p>The fault schedule and the data come from one seed, printed first; replay a failure with
 * {@code -Dchaos.seed=N}. Size: {@code -Dchaos.records}, {@code -Dchaos.kills}, {@code
 * -Dchaos.brokerRestarts}, {@code -Dchaos.rate} (records/s while faults happen: each fault step
 * releases an equal share of the records); the {@code chaos-long} Maven profile sets the long run.
 * {@code -Dchaos.set=key=value,...} adds service settings (e.g. {@code
 * kafka.commit.interval.ms=300}). One instance is frozen with SIGSTOP for longer than the session
 * timeout while three run, so its partitions move, and then thawed: its stale transaction must be
 * fenced.
 */
@Timeout(value = 4, unit = TimeUnit.HOURS)
class ChaosIT {
  private static final String APP_ID = "chaos-dedup";
  private static final String INPUT = "chaos-in";
  private static final String OUTPUT = "chaos-out";
  private static final String DEAD_LETTERS = "chaos-dlq";
  private static final String BY_ID = APP_ID + "-by-id-repartition";
  private static final int PARTITIONS = 6;
  private static final Duration RUNNING_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(20);

  private enum Fault {
    KILL,
    KILL_WIPING_STATE,
    /** SIGSTOP past the session timeout while its partitions move, then SIGCONT: a zombie. */
    ZOMBIE,
    TERM,
    BROKER_RESTART,
    SCALE_UP,
    SCALE_DOWN
  }

  /**
   * What one fault cost: process start to RUNNING, tasks whose state was wiped, changelog records
   * restored and how long that took, input records not yet committed when RUNNING, and the time
   * until that backlog was down to two seconds of traffic.
   */
  private record Recovery(
      Fault fault,
      String instance,
      long toRunningMs,
      long wipedTasks,
      ServiceProcess.Restore restore,
      long lag,
      long catchUpMs) {}

  private static final ServiceProcess.Restore NONE = new ServiceProcess.Restore(0, 0);

  /** Logs, configs, state and broker data of one run; only the data is deleted after a pass. */
  private Path dir;

  private final Map<String, ServiceProcess> instances = new LinkedHashMap<>();
  private EmbeddedKafkaBroker broker;
  private Admin admin;
  private Random random;
  private int rate;

  /** SIGKILLs that ended a live instance (exit status 137), not merely scheduled ones. */
  private long killed;

  @Test
  void shouldStayExactlyOnceUnderKillsBrokerRestartsAndRescaling() throws Exception {
    long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong());
    int records = Integer.getInteger("chaos.records", 50_000);
    int kills = Integer.getInteger("chaos.kills", 6);
    int brokerRestarts = Integer.getInteger("chaos.brokerRestarts", 1);
    rate = Integer.getInteger("chaos.rate", 500);
    System.out.printf(
        "chaos: seed %d, %,d records at %,d/s, %d SIGKILLs, %d broker restarts%n",
        seed, records, rate, kills, brokerRestarts);
    random = new Random(seed);
    dir =
        Files.createDirectories(
            ServiceProcess.packagedJar().resolveSibling("chaos").resolve("seed-" + seed));
    System.out.println("chaos: logs in " + dir);
    List<Fault> schedule = schedule(kills, brokerRestarts);
    System.out.println("chaos: schedule " + schedule);

    broker = EmbeddedKafkaBroker.startChildProcess(dir.resolve("broker"));
    try (Admin a =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin = a;
      broker.createTopics(PARTITIONS, INPUT, OUTPUT, DEAD_LETTERS);
      Path logback = ServiceProcess.writeLogback(dir);
      for (String name : List.of("a", "b", "c")) {
        // "a" stays for the whole run; "b" and "c" go away for good at the scale-down, so they
        // leave the group on SIGTERM instead of stalling their partitions until session timeout
        Path config = writeConfig(name, !name.equals("a"));
        instances.put(
            name,
            new ServiceProcess(
                name,
                ServiceProcess.packagedJar(),
                config,
                logback,
                dir.resolve("service-" + name + ".log")));
      }
      List<Recovery> recoveries = new ArrayList<>();
      ChaosProducer producer =
          new ChaosProducer(broker.bootstrapServers(), INPUT, records, rate, seed);
      Thread producing = new Thread(producer, "chaos-producer");
      try {
        ServiceProcess first = instances.get("a");
        first.start();
        recoveries.add(
            new Recovery(Fault.SCALE_UP, "a", first.awaitRunning(RUNNING_TIMEOUT), 0, NONE, 0, 0));
        producing.start();
        // each step lets the producer write its share, so traffic flows during every fault
        long share = records / (schedule.size() + 1);
        for (int step = 0; step < schedule.size(); step++) {
          producer.allow(share * (step + 1));
          pause(1_000, 4_000);
          recoveries.addAll(inject(schedule.get(step)));
        }
        producer.allow(records);
        producer.unthrottle();
        producing.join(TimeUnit.MINUTES.toMillis(60));
        assertThat(producing.isAlive()).as("producer finished").isFalse();
        System.out.printf(
            "chaos: produced %,d acknowledged sends, %,d re-sent after errors%n",
            producer.sent(), producer.resent());
        awaitCaughtUp(Duration.ofMinutes(30));
      } finally {
        producing.interrupt();
        instances.values().forEach(ServiceProcess::destroy);
      }
      printRecoveries(recoveries);

      ChaosVerifier verifier = new ChaosVerifier(broker.bootstrapServers(), PARTITIONS);
      List<String> problems = verifier.verify(INPUT, OUTPUT, DEAD_LETTERS);
      System.out.printf(
          "chaos: input %,d records, %,d unique IDs, %,d malformed; output %,d records%n",
          verifier.inputRecords(),
          verifier.uniqueIds(),
          verifier.malformed(),
          verifier.outputRecords());
      problems.forEach(p -> System.out.println("chaos: PROBLEM " + p));
      int auditExit = audit();
      assertThat(problems).isEmpty();
      assertThat(auditExit).as("audit exit code").isZero();
      assertThat(killed)
          .as("instances that a scheduled SIGKILL ended")
          .isEqualTo(schedule.stream().filter(f -> f.name().startsWith("KILL")).count());
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
    // only reached when the run passed: keep the logs, drop the data
    Utils.delete(dir.resolve("broker").toFile());
    for (String name : instances.keySet()) {
      Utils.delete(stateDir(name).toFile());
    }
  }

  /**
   * 1 instance, then 3, then 1 again; kills spread over the three phases, the broker restarts and
   * the state-wiping kill while three run (the others keep processing), a SIGTERM in each phase.
   */
  private List<Fault> schedule(int kills, int brokerRestarts) {
    List<Fault> single = new ArrayList<>(List.of(Fault.TERM));
    List<Fault> scaled =
        new ArrayList<>(List.of(Fault.KILL_WIPING_STATE, Fault.ZOMBIE, Fault.TERM));
    List<Fault> after = new ArrayList<>();
    for (int i = 0; i < kills - 1; i++) {
      (i % 3 == 0 ? single : i % 3 == 1 ? scaled : after).add(Fault.KILL);
    }
    for (int i = 0; i < brokerRestarts; i++) {
      (i % 2 == 0 ? scaled : single).add(Fault.BROKER_RESTART);
    }
    Collections.shuffle(single, random);
    Collections.shuffle(scaled, random);
    Collections.shuffle(after, random);
    List<Fault> schedule = new ArrayList<>(single);
    schedule.add(Fault.SCALE_UP);
    schedule.addAll(scaled);
    schedule.add(Fault.SCALE_DOWN);
    schedule.addAll(after);
    return schedule;
  }

  private List<Recovery> inject(Fault fault) throws Exception {
    List<ServiceProcess> alive =
        instances.values().stream().filter(ServiceProcess::isAlive).toList();
    return switch (fault) {
      case KILL -> {
        ServiceProcess victim = alive.get(random.nextInt(alive.size()));
        sigkill(victim);
        yield List.of(restart(fault, victim));
      }
      case KILL_WIPING_STATE -> {
        ServiceProcess victim = alive.get(random.nextInt(alive.size()));
        sigkill(victim);
        Utils.delete(stateDir(victim.name()).toFile());
        yield List.of(restart(fault, victim));
      }
      case ZOMBIE -> {
        // not "a", whose SIGTERM must find it running; the others take its partitions meanwhile
        ServiceProcess victim = alive.stream().filter(i -> !i.name().equals("a")).findFirst().get();
        long start = System.nanoTime();
        victim.suspend();
        TimeUnit.MILLISECONDS.sleep(SESSION_TIMEOUT.toMillis() + 10_000);
        victim.resume();
        // it wakes up with a transaction its successors fenced, rejoins and carries on
        yield List.of(
            measured(fault, victim.name(), (System.nanoTime() - start) / 1_000_000, null));
      }
      case TERM -> {
        ServiceProcess victim = instances.get("a");
        victim.terminate();
        yield List.of(restart(fault, victim));
      }
      case BROKER_RESTART -> {
        long start = System.nanoTime();
        broker.restart();
        long ms = (System.nanoTime() - start) / 1_000_000;
        yield List.of(measured(fault, "broker", ms, null));
      }
      case SCALE_UP -> {
        List<Recovery> started = new ArrayList<>();
        for (String name : List.of("b", "c")) {
          instances.get(name).start();
        }
        for (String name : List.of("b", "c")) {
          ServiceProcess instance = instances.get(name);
          started.add(measured(fault, name, instance.awaitRunning(RUNNING_TIMEOUT), instance));
        }
        yield started;
      }
      case SCALE_DOWN -> {
        long start = System.nanoTime();
        for (String name : List.of("b", "c")) {
          instances.get(name).terminate();
        }
        yield List.of(measured(fault, "b+c", (System.nanoTime() - start) / 1_000_000, null));
      }
    };
  }

  /** SIGKILLs {@code victim}, counting the kill only when the signal ended the process. */
  private void sigkill(ServiceProcess victim) {
    int status = victim.kill();
    System.out.printf("chaos: SIGKILL %s, exit status %d%n", victim.name(), status);
    if (status == ServiceProcess.KILLED_EXIT_STATUS) {
      killed++;
    }
  }

  private Recovery restart(Fault fault, ServiceProcess victim) throws Exception {
    pause(0, 1_000);
    victim.start();
    long toRunning = victim.awaitRunning(RUNNING_TIMEOUT);
    return measured(fault, victim.name(), toRunning, victim);
  }

  /**
   * Input lag now, and how long until the service is back within two seconds of traffic; {@code
   * started} is the instance (re)started by the fault, if any.
   */
  private Recovery measured(Fault fault, String instance, long toRunningMs, ServiceProcess started)
      throws Exception {
    long lag = lag(INPUT);
    long start = System.nanoTime();
    long deadline = start + Duration.ofMinutes(2).toNanos();
    while (lag(INPUT) > 2L * rate && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
    }
    long catchUp = (System.nanoTime() - start) / 1_000_000;
    Recovery recovery =
        new Recovery(
            fault,
            instance,
            toRunningMs,
            started == null ? 0 : started.wipedTasks(),
            started == null ? NONE : started.restored(),
            lag,
            catchUp);
    System.out.println("chaos: " + recovery);
    return recovery;
  }

  /** Records of {@code topic} not yet committed by the application's group. */
  private long lag(String topic) throws Exception {
    return CommittedTopics.lag(admin, APP_ID, topic, PARTITIONS);
  }

  /**
   * Waits until every input record is committed and the by-id topic is drained (its end offsets
   * include one transaction marker per partition, hence the slack).
   */
  private void awaitCaughtUp(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lag(INPUT) > 0 || lag(BY_ID) > PARTITIONS) {
      assertThat(System.nanoTime()).as("caught up within " + timeout).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }

  /** Runs {@code java -jar kafka-dedup.jar audit} on the run's configuration; its exit code. */
  private int audit() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("audit.log");
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-jar",
                ServiceProcess.packagedJar().toString(),
                "audit",
                "--config",
                dir.resolve("a.properties").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(process.waitFor(30, TimeUnit.MINUTES)).as("audit finished").isTrue();
    Files.readAllLines(log).forEach(line -> System.out.println("audit: " + line));
    return process.exitValue();
  }

  private Path writeConfig(String name, boolean leaveGroup) throws IOException {
    Properties props = new Properties();
    props.put("kafka.bootstrap.servers", broker.bootstrapServers());
    props.put("kafka.application.id", APP_ID);
    props.put("kafka.state.dir", stateDir(name).toString());
    props.put("instance.id", name);
    props.put("shutdown.leave.group", Boolean.toString(leaveGroup));
    props.put("kafka.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));
    // several instances on one host: no fixed HTTP port
    props.put("http.host", "127.0.0.1");
    props.put("http.port", "0");
    props.put("input.topics", INPUT);
    props.put("output.topic", OUTPUT);
    props.put("dead.letter.topic", DEAD_LETTERS);
    props.put("id.source", "json");
    props.put("id.json.pointers", "/id");
    props.put("window.size", "P1D");
    String extra = System.getProperty("chaos.set", "");
    for (String setting : extra.split(",")) {
      if (!setting.isBlank()) {
        String[] kv = setting.split("=", 2);
        props.put(kv[0].trim(), kv[1].trim());
      }
    }
    return ServiceProcess.writeConfig(dir.resolve(name + ".properties"), props);
  }

  private Path stateDir(String name) {
    return dir.resolve("state-" + name);
  }

  private void pause(int minMillis, int maxMillis) throws InterruptedException {
    // a random moment in the fault schedule, not a wait for Kafka
    TimeUnit.MILLISECONDS.sleep(minMillis + random.nextInt(maxMillis - minMillis + 1));
  }

  private static void printRecoveries(List<Recovery> recoveries) {
    System.out.println(
        "chaos: fault              instance  to RUNNING  wiped tasks  restored  restore rate"
            + "  input lag  catch-up");
    for (Recovery r : recoveries) {
      long restoreMs = r.restore().millis();
      System.out.printf(
          "chaos: %-18s %-8s %8.1f s  %11d  %8d  %9s/s  %9d  %6.1f s%n",
          r.fault(),
          r.instance(),
          r.toRunningMs() / 1000.0,
          r.wipedTasks(),
          r.restore().records(),
          restoreMs == 0 ? "-" : String.format("%,d", r.restore().records() * 1000 / restoreMs),
          r.lag(),
          r.catchUpMs() / 1000.0);
    }
  }
}
