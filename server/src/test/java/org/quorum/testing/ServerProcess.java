package org.quorum.testing;

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
 * The packaged server ({@code target/quorum-server.jar}) run as its own JVM, as {@code ./quorum
 * serve} runs it: for tests of start-up, configuration errors and restarts.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private final Thread reader;

    private ServerProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::pump, "server-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code java -jar quorum-server.jar serve} with exactly the given QUORUM_* variables.
     */
    public static ServerProcess start(Map<String, String> env, String... extraArgs) {
        Path jar = Path.of(System.getProperty("quorum.server.jar", "target/quorum-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar
                            + " is missing: run the tests with 'mvn verify' (failsafe runs after package)");
        }
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "-jar",
                                jar.toString(),
                                "serve"));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("QUORUM_"));
        builder.environment().putAll(env);
        try {
            return new ServerProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a CLI command of the packaged jar ({@code java -jar quorum-server.jar ARGS}); returns
     * its output.
     */
    public static String cli(Map<String, String> env, String... args) throws InterruptedException {
        Path jar = Path.of(System.getProperty("quorum.server.jar", "target/quorum-server.jar"));
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("QUORUM_"));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(
                        "CLI " + List.of(args) + " did not finish; output:\n" + output);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(
                        "CLI " + List.of(args) + " exited " + process.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last non-empty line of a command's output. */
    public static String lastLine(String output) {
        String[] lines = output.strip().split("\\R");
        return lines[lines.length - 1].strip();
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
            while ((line = reader.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("<output closed: " + e.getMessage() + ">");
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

    /** Waits for the process to exit; returns its exit status. */
    public int awaitExit(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "Server did not exit within " + deadline + "; output:\n" + output());
        }
        // The process is gone; its last lines may still be on their way through the pipe.
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /** Sends SIGTERM (as an operator's Ctrl-C or systemd stop would) and waits for the exit. */
    public int stop(Duration deadline) throws InterruptedException {
        process.destroy();
        return awaitExit(deadline);
    }

    /**
     * Kills the process as a crash would ({@code kill -9}: SIGKILL, no shutdown hook runs) and
     * waits until it is gone.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("The server did not die within 30 s of SIGKILL");
        }
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
        }
    }
}
