package org.quorum.bridge.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A packaged jar run as its own JVM (Quorum's server, the bridge), so that a test can read its
 * output, stop it as an operator would, or kill it with SIGKILL.
 */
public final class JavaProcess implements AutoCloseable {

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private final Thread reader;

    private JavaProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::pump, "process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The jar a system property names (set by the build), or a clear error. */
    public static Path jar(String property, String hint) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException(
                    "-D" + property + " does not name a built jar (" + value + "): " + hint);
        }
        return Path.of(value);
    }

    /** Starts {@code java -jar JAR ARGS} with the given environment (QUORUM_* of ours removed). */
    public static JavaProcess start(Path jar, Map<String, String> env, String... args) {
        return start(jar, "-Xmx768m", env, args);
    }

    /** As {@link #start(Path, Map, String...)}, with the heap size given (e.g. {@code -Xmx1g}). */
    public static JavaProcess start(
            Path jar, String heap, Map<String, String> env, String... args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                heap,
                                "-XX:TieredStopAtLevel=1",
                                "-jar",
                                jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("QUORUM_"));
        builder.environment().putAll(env);
        try {
            return new JavaProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to its end; returns its exit status and output. */
    public static Result run(Path jar, Map<String, String> env, String... args)
            throws InterruptedException {
        try (JavaProcess process = start(jar, env, args)) {
            int status = process.awaitExit(Duration.ofSeconds(120));
            return new Result(status, process.output());
        }
    }

    /** A finished command. */
    public record Result(int status, String output) {
        public String lastLine() {
            String[] all = output.strip().split("\\R");
            return all[all.length - 1].strip();
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump() {
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            java.io.Writer log = logFile();
            while ((line = reader.readLine()) != null) {
                if (log != null) {
                    log.write(line + "\n");
                    log.flush();
                }
                synchronized (output) {
                    output.add(line);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("<output closed: " + e.getMessage() + ">");
        }
    }

    /** Also writes the output to {@code target/processes/<pid>.log}, for a failed run's reader. */
    private java.io.Writer logFile() {
        try {
            Path dir = Path.of("target", "processes");
            Files.createDirectories(dir);
            return Files.newBufferedWriter(
                    dir.resolve(process.pid() + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** Waits for a line containing {@code text}; returns it, or throws with the output so far. */
    public String awaitLine(String text, Duration deadline) throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        while (Instant.now().isBefore(end)) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        throw new AssertionError(
                "No line containing '" + text + "' within " + deadline + "; output:\n" + output());
    }

    public int awaitExit(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "Process did not exit within " + deadline + "; output:\n" + output());
        }
        // The process is gone; its last lines may still be on their way through the pipe.
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, as a power cut or kill -9 does. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
