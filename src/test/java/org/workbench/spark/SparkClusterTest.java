package org.workbench.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/**
 * A real Spark standalone cluster on loopback: a master and two workers, separate JVMs started from the Spark jars
 * on the test classpath. A solve runs through it; one worker and its executor are killed mid-run; Spark reruns the
 * lost units on the other, and results.jsonl ends with the local run's lines, each once.
 */
class SparkClusterTest {
    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();
    private final List<String> props = List.of("spark.executor.extraClassPath", "spark.executor.extraJavaOptions",
            "spark.executor.memory", "spark.driver.host", "spark.driver.bindAddress");

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Spark's classpath for the cluster's JVMs: the jars of the test classpath, linked into SPARK_HOME/jars. */
    private Path sparkHome() throws IOException {
        Path jars = Files.createDirectories(tmp.resolve("spark-home/jars"));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
            if (e.endsWith(".jar") && !Files.exists(jars.resolve(Path.of(e).getFileName())))
                Files.createSymbolicLink(jars.resolve(Path.of(e).getFileName()), Path.of(e).toAbsolutePath());
        return jars.getParent();
    }

    private Process start(Path home, String name, String... mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        cmd.addAll(List.of(System.getProperty("workbench.test.sparkOpens", "").split(" ")));
        cmd.removeIf(String::isBlank);
        cmd.addAll(List.of("-cp", home.resolve("jars") + "/*"));
        cmd.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void waitForPort(int port, long seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("nothing listens on " + port);
    }

    private void waitForLog(String name, String text, long seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (Files.readString(tmp.resolve(name + ".log")).contains(text)) return;
            Thread.sleep(200);
        }
        throw new AssertionError(name + " never logged '" + text + "'" + logs());
    }

    /** The cluster's own logs, for a failure's message. */
    private String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("master", "worker0", "worker1")) {
            List<String> lines = Files.readAllLines(tmp.resolve(name + ".log"));
            sb.append("\n--- ").append(name).append(" (last 15 lines)\n");
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append(l).append('\n'));
        }
        return sb.toString();
    }

    @AfterEach
    void stop() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        props.forEach(System::clearProperty);
    }

    private static String[] solve(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("solve", "problems/linf.yaml", "--set", "data.samples=40", "--set", "threat.eps=[0.1]",
                "--set", "solvers=[fgsm, {preset: pgd-linf, steps: 40, random_start: true}]", "--set", "batch=2", "--set", "output=" + out));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void aKilledWorkerCostsNothing() throws Exception {
        Path home = sparkHome();
        int masterPort = freePort();
        start(home, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "" + masterPort, "--webui-port", "" + freePort());
        waitForPort(masterPort, 60);
        String master = "spark://127.0.0.1:" + masterPort;
        Process[] workers = new Process[2];
        for (int w = 0; w < 2; w++)
            workers[w] = start(home, "worker" + w, "org.apache.spark.deploy.worker.Worker", master, "--host", "127.0.0.1", "--cores", "1",
                    "--memory", "1536m", "--webui-port", "" + freePort(), "--work-dir", tmp.resolve("work" + w).toString());
        waitForLog("worker0", "Successfully registered with master", 90);
        waitForLog("worker1", "Successfully registered with master", 90);

        Path plain = tmp.resolve("plain"), spark = tmp.resolve("spark");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream oldErr = System.err, oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(quiet);
            System.setOut(quiet);
            assertEquals(0, Main.run(solve(plain)));
            System.setProperty("spark.executor.extraClassPath",
                    Path.of(SparkSolve.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            System.setProperty("spark.executor.extraJavaOptions", System.getProperty("workbench.test.sparkOpens", "")
                    + " -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            System.setProperty("spark.executor.memory", "1g");
            System.setProperty("spark.driver.host", "127.0.0.1");
            System.setProperty("spark.driver.bindAddress", "127.0.0.1");
            AtomicInteger code = new AtomicInteger(-1);
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Thread run = new Thread(() -> code.set(Main.run(solve(spark, "--spark", master))));
            run.start();
            // Both workers must run an executor of the app, or killing one could leave none.
            waitForLog("worker0", "Asked to launch executor", 60);
            waitForLog("worker1", "Asked to launch executor", 60);
            // Kill the first worker, with its executor, once a few units are in.
            Path jsonl = spark.resolve("results.jsonl");
            long end = System.nanoTime() + (long) 240e9;
            while (run.isAlive() && System.nanoTime() < end && !(Files.exists(jsonl) && Files.readAllLines(jsonl).size() >= 12)) Thread.sleep(100);
            int before = Files.exists(jsonl) ? Files.readAllLines(jsonl).size() : 0;
            assertTrue(run.isAlive() && before >= 12 && before < 80, "the run should be under way, with " + before + " lines");
            workers[0].descendants().forEach(ProcessHandle::destroyForcibly);
            workers[0].destroyForcibly();
            run.join(120_000);
            assertEquals(0, code.get(), err.toString(StandardCharsets.UTF_8) + logs());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        String log = err.toString(StandardCharsets.UTF_8);
        log.lines().filter(l -> l.startsWith("spark:") || l.contains("Lost executor")).forEach(System.out::println);
        assertTrue(log.contains("Lost executor"), "Spark should have seen the executor go: " + log);
        assertTrue(log.contains("spark: 40/40 units done, 0 failed"), log);
        List<String> expected = SparkSolveTest.withoutTime(plain.resolve("results.jsonl"));
        assertEquals(80, expected.size());
        SparkSolveTest.sameLines(expected, SparkSolveTest.withoutTime(spark.resolve("results.jsonl")));
    }
}
