package org.workbench.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.workbench.config.InputError;

/**
 * Checks a {@code --spark MASTER} before anything starts: the URL's form, and for a standalone master that it
 * answers on its port (Spark itself would retry for a minute and then fail deep inside a job).
 */
public final class Masters {
    private Masters() {}

    static final String EXPECTED = "expected local, local[N], local[*], spark://HOST:PORT[,HOST:PORT...], yarn or k8s://URL";

    public static void check(String master) {
        if (master.matches("local(\\[([1-9]\\d*|\\*)(,[1-9]\\d*)?\\])?") || master.equals("yarn") || master.matches("k8s://\\S+"))
            return;
        if (!master.startsWith("spark://")) throw new InputError("--spark " + master + ": " + EXPECTED);
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            int port = -1;
            try {
                if (colon > 0) port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) throw new InputError("--spark " + master + ": " + EXPECTED);
            String host = hostPort.substring(0, colon);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 3000);
            } catch (IOException e) {
                throw new InputError("--spark " + master + ": cannot reach the Spark master at " + hostPort + " (" + e.getMessage() + ")");
            }
        }
    }

    /** Whether Spark's classes are on the classpath (they are provided: spark-submit or SPARK_HOME brings them). */
    public static boolean sparkPresent() {
        try {
            Class.forName("org.apache.spark.api.java.JavaSparkContext", false, Masters.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
